"""The desk's pages for managers and admins, signed in through WeCom (session.py): the board
(board.py), the ticket page with its actions (ticket.py), insights and money (insights.py), a
month's drafts and statements (statements.py), operators' pages (ops.py). Every page renders
through render.py in the reader's language and time zone."""

from __future__ import annotations

from aiohttp import web


def routes() -> list[web.RouteDef]:
    from bot.web import board, fixes, insights, ops, parts, session, statements, ticket

    return (session.routes() + board.routes() + ticket.routes() + ops.routes() + insights.routes()
            + parts.routes() + fixes.routes() + statements.routes())
