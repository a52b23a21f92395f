"""The ticket statuses the store keeps. Plain data: the lifecycle table (handlers/lifecycle.py)
is built on them, and the store's queries ("open tickets of this engineer") read them."""

CLAIMABLE = ("new", "offered")

# Statuses in which a ticket still needs work.
OPEN_STATUSES = ("new", "offered", "assigned", "departed", "on_site", "in_progress", "waiting_parts",
                 "awaiting_approval")
