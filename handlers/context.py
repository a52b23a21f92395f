"""Everything a handler may know and do for one message: who, where, in which language, and
the effects it may cause, collected here and written in the message's transaction by its owner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.cards import Card
from handlers.messages import t
from handlers.links import ticket_signature
from handlers.words import Words
from storage import outbox

if TYPE_CHECKING:
    from handlers.config import Config, GroupConfig, PersonConfig
    from handlers.service_templates import ServiceCatalog
    from handlers.sla_runtime import SlaBook
    from settlement.ledger_config import LedgerConfig
    from storage.cache import Cache


def language_for(cfg: "Config", userid: str | None, chatid: str | None) -> str:
    """The language to answer in: the group's in a known group, else the person's first."""
    group = cfg.group(chatid) if chatid else None
    if group is not None:
        return group.language
    person = cfg.person(userid)
    return person.languages[0] if person is not None and person.languages else "zh"


@dataclass
class Context:
    cfg: "Config"
    session: AsyncSession
    cache: "Cache"
    userid: str
    chatid: str | None
    channel: str
    now: datetime
    person: "PersonConfig | None" = None
    group: "GroupConfig | None" = None
    response_code: str | None = None
    task_id: str | None = None
    public_url: str = ""
    templates: "ServiceCatalog | None" = None
    settlement: "LedgerConfig | None" = None  # None: jobs are not priced
    sla: "SlaBook | None" = None              # None: no SLA timers
    account: str | None = None                # 微信客服 account of a WeChat customer's message
    log: dict[str, Any] = field(default_factory=dict)
    # The messages this unit of work sends. Whoever owns the transaction writes them in it
    # (Desk.work): they exist exactly when the change that caused them does.
    outbox: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return language_for(self.cfg, self.userid, self.chatid)

    @property
    def roles(self) -> list[str]:
        return list(self.person.roles) if self.person else ["customer"]

    @property
    def name(self) -> str:
        return self.person.name if self.person else self.userid

    @property
    def bot_name(self) -> str:
        return self.cfg.wecom.bot.names[0] if self.cfg.wecom.bot.names else "bot"

    def language_of(self, userid: str) -> str:
        p = self.cfg.person(userid)
        return p.languages[0] if p and p.languages else "zh"

    def ticket_url(self, ticket_id: int) -> str:
        return f"{self.public_url}/tickets/{ticket_id}?sig={ticket_signature(self.cfg.wecom.app.secret, ticket_id)}"

    # -- effects: outbox rows, written with this transaction ------------------------------------------------
    def held_until(self, userid: str, urgent: bool) -> datetime | None:
        """Quiet hours: a non-urgent notice to staff waits for the morning in their time zone.
        Customers always get what they asked for; the person we are answering right now too."""
        person = self.cfg.person(userid)
        if urgent or userid == self.userid or person is None or not ({"engineer", "manager", "admin"} & set(person.roles)):
            return None
        from handlers.quiet_hours import quiet_until

        return quiet_until(self.cfg.quiet_hours, self.cfg.timezone_of(userid), self.now)

    def send_card(self, userid: str, card: Card, ticket_id: int | None = None, *, urgent: bool = False) -> None:
        """A card's quote in someone's own words reaches a reader of another language
        machine-translated, by the worker, with the original kept (bot/translate.py)."""
        payload: dict[str, Any] = {"msgtype": "template_card", "card": card.to_dict()}
        if card.quote and card.quote_lang:
            self.mark_words(payload, ("card", "quote"), Words(card.quote, card.quote_lang), self.language_of(userid))
        self._held_send(userid, payload, ticket_id, urgent)

    @staticmethod
    def mark_words(payload: dict[str, Any], path: tuple[str, ...], words: "Words | None", reader_lang: str) -> dict[str, Any]:
        """Mark someone's words inside a payload for the worker to translate for this reader (when
        they read another language), with the catalog's label for the original and the note
        shown when no translation comes back."""
        if words is not None and words.text and words.lang != reader_lang:
            payload.setdefault("_translate", []).append({
                "path": list(path), "text": words.text, "source": words.lang, "target": reader_lang,
                "label": t(reader_lang, "translate.original"), "note": t(reader_lang, "translate.failed")})
        return payload

    def _held_send(self, userid: str, payload: dict[str, Any], ticket_id: int | None, urgent: bool) -> None:
        """An app message to staff, held by quiet hours when it can wait (marked, for the morning
        email digest); `_`-keys are the desk's notes to the worker, never sent to WeCom."""
        held = self.held_until(userid, urgent)
        self._send("app_message", userid, {**payload, "_held": True} if held else payload, ticket_id, not_before=held)

    def send_email(self, to: str, subject: str, text: str, ticket_id: int | None = None) -> None:
        self._send("email", to, {"subject": subject, "text": text}, ticket_id)

    def send_sms(self, mobile: str, text: str, ticket_id: int | None = None) -> None:
        self._send("sms", mobile, {"text": text}, ticket_id)

    def _send(self, kind: str, dest: str, payload: dict[str, Any], ticket_id: int | None = None, *,
              not_before: datetime | None = None) -> None:
        self.outbox.append(outbox.row(kind, dest, payload, ticket_id, not_before=not_before))

    def send_text(self, userid: str, text: str, ticket_id: int | None = None, *, urgent: bool = False,
                  words: "Words | None" = None) -> None:
        """A markdown message to one person; `words` inside `text` are translated for them."""
        payload = {"msgtype": "markdown", "markdown": {"content": text}}
        self._held_send(userid, self.mark_words(payload, ("markdown", "content"), words, self.language_of(userid)),
                        ticket_id, urgent)

    def push_group(self, chatid: str | None, markdown: str, ticket_id: int | None = None) -> bool:
        group = self.cfg.group(chatid)
        if group is None or not group.webhook_key:
            return False
        self._send("webhook", group.webhook_key,
                       {"msgtype": "markdown", "markdown": {"content": markdown}}, ticket_id)
        return True

    def answer_by_url(self, response_url: str, markdown: str, ticket_id: int | None = None) -> None:
        """The AI bot's one-off response_url (1 h): the full answer to a card tap, whose own
        reply can only update the card."""
        self._send("response_url", response_url, {"msgtype": "markdown", "markdown": {"content": markdown}}, ticket_id)

    def push_group_card(self, chatid: str | None, card: Card, ticket_id: int | None = None,
                        words: "Words | None" = None) -> bool:
        group = self.cfg.group(chatid)
        if group is None or not group.webhook_key:
            return False
        payload = {"msgtype": "template_card", "card": card.to_dict()}
        self._send("webhook", group.webhook_key, self.mark_words(payload, ("card", "quote"), words, group.language),
                   ticket_id)
        return True

    @property
    def kf_contact(self) -> str | None:
        """How to reach this sender again when they are a WeChat customer: "open_kfid|external_userid"."""
        return f"{self.account}|{self.userid}" if self.channel == "kf" and self.account else None

    def send_kf(self, contact: str, message: "Card | str", ticket_id: int | None = None, *,
                words: "Words | None" = None, reader_lang: str | None = None) -> None:
        """A 微信客服 message to a WeChat customer (text only there: the worker renders a card as
        lines). WeCom allows 5 within 48 h of the customer's last message; the worker keeps count."""
        payload: dict[str, Any] = ({"msgtype": "card", "card": message.to_dict()} if isinstance(message, Card)
                                   else {"msgtype": "markdown", "markdown": {"content": message}})
        path = ("card", "quote") if isinstance(message, Card) else ("markdown", "content")
        self._send("kf_message", contact, self.mark_words(payload, path, words, reader_lang or self.lang), ticket_id)

    def send_kf_menu(self, contact: str, head: str, items: list[tuple[str, str]], ticket_id: int | None = None) -> None:
        """One-tap answers for a WeChat customer (msgmenu, at most 10 items): a tap comes back as
        the item's text, which the parser reads like a typed answer."""
        self._send("kf_message", contact, {"msgtype": "msgmenu", "msgmenu": {
            "head_content": head, "list": [{"type": "click", "click": {"id": key, "content": text}}
                                           for key, text in items[:10]]}}, ticket_id)

    def update_button(self, userid: str, response_code: str, text: str, ticket_id: int | None = None) -> None:
        self._send("update_card", userid,
                       {"response_code": response_code, "button": {"replace_name": text}}, ticket_id)

    def update_offer_card(self, userid: str, task_id: str, button: str, fallback: str | None,
                          ticket_id: int | None = None) -> None:
        """An offer's card, after the offer ended: its button greyed with `button` in place, with the
        response code its send got back (the worker reads the stored code when it sends this, so
        an update queued before the card went out still finds it). When the card cannot be updated
        (no code, used up, older than 72 h), `fallback` goes as a short 1:1 text instead, once;
        a card that never went out is neither updated nor followed by a text."""
        payload: dict[str, Any] = {"task_id": task_id, "button": {"replace_name": button}}
        if fallback:
            payload["_fallback"] = {"msgtype": "markdown", "markdown": {"content": fallback}}
        self._send("update_card", userid, payload, ticket_id)
