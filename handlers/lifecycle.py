"""The ticket lifecycle as data: which action moves which status where. Pure."""

from __future__ import annotations

from storage.statuses import OPEN_STATUSES as OPEN

DONE = ("completed", "confirmed", "closed", "cancelled")
BEFORE_SITE = ("new", "offered", "assigned", "departed")
WORKING = ("on_site", "in_progress", "waiting_parts")

TRANSITIONS: dict[str, dict[str, str]] = {
    "offer": {"new": "offered", "offered": "offered"},
    "claim": {"new": "assigned", "offered": "assigned"},
    "assign": {"new": "assigned", "offered": "assigned"},
    # A manager hands a job that someone holds to someone else (handlers/manage.py); the new
    # engineer has not set out yet, so a departed job is assigned again.
    "reassign": {"assigned": "assigned", "departed": "assigned"},
    "decline": {"assigned": "new"},
    "depart": {"assigned": "departed"},
    "arrive": {"assigned": "on_site", "departed": "on_site"},
    "start": {"on_site": "in_progress", "waiting_parts": "in_progress"},
    "parts_needed": {"on_site": "waiting_parts", "in_progress": "waiting_parts"},
    "request_approval": {s: "awaiting_approval" for s in WORKING},
    "approve": {"awaiting_approval": "completed"},
    "reject": {"awaiting_approval": "in_progress"},
    "complete": {s: "completed" for s in WORKING},
    "confirm": {"completed": "confirmed"},
    "close": {"completed": "closed", "confirmed": "closed"},
    "cancel": {s: "cancelled" for s in OPEN},
    # A manager reopens a cancelled ticket: it is new again and routed as a new report. A completed
    # one is not reopened: it was priced at completion (ledger lines); a follow-up ticket is.
    "reopen": {"cancelled": "new"},
}
# Progress a status report may carry without moving the ticket.
NOTES = {"delayed": ("assigned", "departed", "on_site", "in_progress", "waiting_parts")}
PROGRESS_ACTIONS = {"departed": "depart", "arrived": "arrive", "started": "start", "parts_needed": "parts_needed"}


# What a person can say next, in the order people do it; complete is possible before arriving
# (the arrival is implied: handlers/jobs.py complete_job).
_SAYABLE = ("claim", "depart", "arrive", "start", "parts_needed", "complete", "cancel")
IMPLIED_ARRIVAL = ("assigned", "departed")


def next_actions(status: str) -> list[str]:
    """The steps a chat message can take from `status`."""
    out = [a for a in _SAYABLE if status in TRANSITIONS[a]]
    if status in IMPLIED_ARRIVAL and "complete" not in out:
        out.insert(out.index("cancel") if "cancel" in out else len(out), "complete")
    if status == "completed":
        out.append("rate")
    return out


class Impossible(Exception):
    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"{action} is not possible from {status}")
        self.status, self.action = status, action


def next_status(status: str, action: str) -> str:
    to = TRANSITIONS.get(action, {}).get(status)
    if to is None:
        raise Impossible(status, action)
    return to


def is_open(status: str) -> bool:
    return status in OPEN
