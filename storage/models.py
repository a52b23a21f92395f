"""The desk's tables. Times are naive UTC (SQLite keeps no zone; one convention for both backends)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Person(Base):
    __tablename__ = "people"
    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    city: Mapped[str | None] = mapped_column(String(64))
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    working_hours: Mapped[str | None] = mapped_column(String(16))  # "08:00-20:00"; None = always
    # Routing state: round robin among equals, and the CSAT they earned.
    last_assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The end of this engineer's latest confirmed visit slot (storage/appointments.py): routing looks
    # up booked slots only for those whose mark is still ahead, so a desk without appointments pays nothing.
    booked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Open tickets assigned to them, kept in step by storage/tickets.py in the transaction that
    # changes it (and recounted at start-up): routing reads a column instead of counting tickets.
    open_jobs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)


class PersonSkill(Base):
    """One row per (engineer, skill): routing is an indexed join, not a JSON scan."""

    __tablename__ = "person_skills"
    userid: Mapped[str] = mapped_column(ForeignKey("people.userid", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(32), primary_key=True)
    __table_args__ = (Index("ix_person_skills_skill", "skill", "userid"),)


class PersonRegion(Base):
    __tablename__ = "person_regions"
    userid: Mapped[str] = mapped_column(ForeignKey("people.userid", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    __table_args__ = (Index("ix_person_regions_region", "region", "userid"),)


class Group(Base):
    __tablename__ = "groups"
    chatid: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    webhook_key: Mapped[str] = mapped_column(String(256), default="")


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    skill: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32), index=True)
    city: Mapped[str | None] = mapped_column(String(64))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    description: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str | None] = mapped_column(String(64))
    chatid: Mapped[str | None] = mapped_column(String(128), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="chat")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    template: Mapped[str | None] = mapped_column(String(64))
    template_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Outcome facts the summaries aggregate: set when they become known, never recomputed.
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[int | None] = mapped_column(Integer)  # a follow-up points at the ticket it follows
    # A joint job's second branch (a region): the reporter's home when it is not the store's, or
    # one a manager added. Routing prefers the pair's joint squad; completion splits between both.
    joint_region: Mapped[str | None] = mapped_column(String(32))
    eta_at: Mapped[datetime | None] = mapped_column(DateTime)
    dispatch_mode: Mapped[str] = mapped_column(String(8), default="offer")
    offer_round: Mapped[int] = mapped_column(Integer, default=0)
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    # SLA: deadlines (business time already applied), where the clock stands, what was said.
    sla_policy: Mapped[str | None] = mapped_column(String(32))
    response_due: Mapped[datetime | None] = mapped_column(DateTime)
    onsite_due: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_due: Mapped[datetime | None] = mapped_column(DateTime)
    sla_paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    sla_stage: Mapped[str] = mapped_column(String(32), default="ok")  # ok | nudged:<target> | breached:<target>
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_tickets_assignee_status", "assignee", "status"),
                      Index("ix_tickets_next_check", "next_check_at"),
                      Index("ix_tickets_offer_expiry", "offer_expires_at"))


class TicketEvent(Base):
    """The audit trail: who did what to a ticket, when, and why."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ServiceTemplateVersion(Base):
    """Every applied version of a service template (预制项目库); tickets record the version."""

    __tablename__ = "service_templates"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))  # "config" | "rollback:<version>"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ServiceTemplateHead(Base):
    """Which version of a template is in force, and the config content it last saw — so that a
    rollback survives restarts until the config itself changes again."""

    __tablename__ = "template_heads"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    active_version: Mapped[int] = mapped_column(Integer)
    config_hash: Mapped[str] = mapped_column(String(64))


class ApiRequest(Base):
    """REST calls with an Idempotency-Key: a replay gets the first response."""

    __tablename__ = "api_requests"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Offer(Base):
    """A job card sent to one engineer; task_id is the card's WeCom task id."""

    __tablename__ = "offers"
    task_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    userid: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="offered")   # offered | won | lost | withdrawn
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # What message/send answered for the card: the code that updates it in place once, within
    # 72 h (update_template_card), and when it came. None: not sent yet, or WeCom gave none.
    response_code: Mapped[str | None] = mapped_column(String(128))
    code_at: Mapped[datetime | None] = mapped_column(DateTime)


class InboundCallback(Base):
    """One row per WeCom delivery we acted on: the durable half of dedup, and the stored reply."""

    __tablename__ = "inbound_callbacks"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    userid: Mapped[str | None] = mapped_column(String(64))
    chatid: Mapped[str | None] = mapped_column(String(128))
    intent: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    reply: Mapped[str | None] = mapped_column(Text)
    stream_id: Mapped[str | None] = mapped_column(String(64), index=True)


class OutboxMessage(Base):
    """A message to WeCom, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))  # app_message | update_card | webhook | response_url
    dest: Mapped[str] = mapped_column(String(512))  # userids "a|b", webhook key, or response url
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sending|sent|failed|dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class KfCursor(Base):
    """Where reading a 微信客服 account's messages (kf/sync_msg) got to: its next_cursor."""

    __tablename__ = "kf_cursors"
    open_kfid: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class KfContact(Base):
    """A WeChat customer of a 微信客服 account: the store their QR code named, and WeCom's window
    for answering them (48 h after their last message, at most 5 messages in it)."""

    __tablename__ = "kf_contacts"
    open_kfid: Mapped[str] = mapped_column(String(64), primary_key=True)
    external_userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    chatid: Mapped[str | None] = mapped_column(String(128))
    scene_param: Mapped[str | None] = mapped_column(String(128))
    last_customer_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_since: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MailDigested(Base):
    """A held notice that went out in someone's email digest (so it goes out once)."""

    __tablename__ = "mail_digested"
    outbox_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    digested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Attachment(Base):
    """A file that came with a ticket (a photo from the store's report page). The bytes are in the
    file store (storage/attachments.py) under `key`; the row is written with the ticket."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="form")   # form: the store's report page
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# Insert statements built once: the hot path executes them with parameters, so SQLAlchemy
# compiles each one a single time instead of re-building an ORM statement per message.
INSERT_TICKET = Ticket.__table__.insert().returning(Ticket.__table__.c.id)
INSERT_EVENT = TicketEvent.__table__.insert()
INSERT_OFFER = Offer.__table__.insert()
INSERT_OUTBOX = OutboxMessage.__table__.insert()
INSERT_INBOUND = InboundCallback.__table__.insert()
