"""SLA for tickets: the configured policies (handlers/sla.py) applied in each ticket's region time
zone, and what the scheduler and the cards ask of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers import sla as policy_math
from handlers.notify import current_target
from storage import tickets as store
from storage.models import Ticket


@dataclass(frozen=True)
class TicketDeadlines:
    policy: str
    response: datetime | None
    onsite: datetime | None
    resolution: datetime | None
    next_check: datetime | None


class SlaBook:
    def __init__(self, cfg: Any, sla: policy_math.SlaConfig) -> None:
        self.cfg, self.sla = cfg, sla

    def _timezone(self, region: str | None) -> str | None:
        r = self.cfg.region(region)
        return r.timezone if r else None

    def policy_name(self, name: str | None) -> str:
        return name or self.sla.default_policy or next(iter(self.sla.policies))

    def calendar(self, ticket: Ticket) -> Any:
        return self.sla.calendar_for(self.policy_name(ticket.sla_policy), self._timezone(ticket.region))

    def deadlines(self, policy: str | None, urgency: str, start: datetime, region: str | None) -> TicketDeadlines:
        name = self.policy_name(policy)
        d = policy_math.deadlines(self.sla, name, urgency, start, self._timezone(region))
        cal = self.sla.calendar_for(name, self._timezone(region))
        return TicketDeadlines(name, d.response, d.onsite, d.resolution,
                               policy_math.next_check(start, start, d.response, cal))

    def next_check(self, ticket: Ticket, now: datetime) -> datetime | None:
        """When the promise now in play next needs a look (80 % point, then the deadline)."""
        if ticket.sla_paused_at is not None:
            return None
        _, due = current_target(ticket)
        if due is None:
            return None
        if now >= due:
            return now  # already overdue: the scanner takes it on its next pass
        return policy_math.next_check(now, ticket.created_at, due, self.calendar(ticket))

    def stage(self, ticket: Ticket, due: datetime, now: datetime) -> str:
        return policy_math.stage(now, ticket.created_at, due, self.calendar(ticket))

    def countdown(self, ticket: Ticket, due: datetime, now: datetime) -> int | None:
        if ticket.sla_paused_at is not None:
            return None
        return policy_math.countdown(now, due, self.calendar(ticket))

    async def resume(self, session: Any, ticket: Ticket, now: datetime) -> None:
        """Parts arrived: deadlines move later by the business time spent waiting."""
        paused = ticket.sla_paused_at
        if paused is None:
            return
        d = policy_math.shift(policy_math.Deadlines(ticket.response_due, ticket.onsite_due, ticket.resolution_due),
                              paused, now, self.calendar(ticket))
        await store.update_fields(session, ticket, response_due=d.response, onsite_due=d.onsite,
                                  resolution_due=d.resolution, sla_paused_at=None)
        await store.update_fields(session, ticket, next_check_at=self.next_check(ticket, now))
