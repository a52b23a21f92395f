"""WeCom template cards (doc 101032 / 90236) built from tickets, texts from the catalogs."""

from __future__ import annotations

import secrets
from typing import Any

from handlers.messages import t

SOURCE = {"desc": "wecom-desk"}


def task_id(ticket_id: int, userid: str) -> str:
    # [A-Za-z0-9_-@], ≤ 128 bytes, unique per app: the random tail keeps re-offers distinct.
    safe = "".join(c if c.isalnum() or c in "_-@" else "_" for c in userid)[:64]
    return f"job-{ticket_id}-{safe}-{secrets.token_hex(4)}"


def ticket_fields(lang: str, *, id: int, skill: str, location: str, urgency: str, status: str,
                  engineer: str | None = None) -> list[dict[str, Any]]:
    rows = [("field.ticket", f"#{id}"), ("field.skill", skill), ("field.location", location),
            ("field.urgency", t(lang, f"urgency.{urgency}")), ("field.status", t(lang, f"status.{status}"))]
    if engineer:
        rows.append(("field.engineer", engineer))
    return [{"keyname": t(lang, k), "value": v} for k, v in rows]


def ticket_card(lang: str, *, title: str, desc: str, url: str, fields: list[dict[str, Any]],
                task: str | None = None) -> dict[str, Any]:
    """A text_notice card: what a customer group sees for a ticket."""
    card: dict[str, Any] = {
        "card_type": "text_notice",
        "source": SOURCE,
        "main_title": {"title": title[:36], "desc": desc[:44]},
        "horizontal_content_list": fields[:6],
        "card_action": {"type": 1, "url": url},
    }
    if task:
        card["task_id"] = task
    return card


def job_card(lang: str, *, ticket_id: int, skill: str, location: str, urgency: str, description: str,
             task: str) -> dict[str, Any]:
    """A button_interaction card offering a job to one engineer; the button key says what to do."""
    return {
        "card_type": "button_interaction",
        "source": SOURCE,
        "main_title": {"title": t(lang, "job.title", id=ticket_id, skill=skill)[:36],
                       "desc": t(lang, "job.desc", location=location, urgency=t(lang, f"urgency.{urgency}"))[:44]},
        "sub_title_text": description[:120],
        "horizontal_content_list": ticket_fields(lang, id=ticket_id, skill=skill, location=location,
                                                 urgency=urgency, status="offered")[:4],
        "task_id": task,
        "button_list": [{"text": t(lang, "job.claim_button"), "style": 1, "key": f"claim:{ticket_id}"}],
    }
