"""handlers.cards.as_dict stands in for dataclasses.asdict on the callback path: it must give
the same values, of the same types, and never share a mutable value with its input."""

from __future__ import annotations

import json
from collections import OrderedDict, namedtuple
from dataclasses import asdict
from datetime import datetime

from handlers.cards import Button, Card, Field, Link, as_dict
from handlers.replies import Reply

Pair = namedtuple("Pair", "a b")


def test_as_dict_is_asdict():
    card = Card(title="t", desc="d", fields=(Field("a", "b"), Field("c", "d")), buttons=(Button("x", "claim:1", 2),),
                url="u", links=(Link("l", "https://x"),), quote="q", quote_lang="zh", figure=("1", "2"), task_id="job")
    reply = Reply(markdown="m", card=card, button="b",
                  pending={"intent": "create_ticket", "entities": {"skill": "hvac", "n": Pair(1, [2]), "l": [1, {"x": None}]}},
                  data={"ticket": 12, "offered_to": ["u1", "u2"], "o": OrderedDict(a=1), "at": datetime(2026, 1, 2), "f": 1.5})
    for value in (card, reply, Reply()):
        want, got = asdict(value), as_dict(value)
        assert got == want
        assert json.dumps(got, default=str) == json.dumps(want, default=str)
    got = as_dict(reply)
    assert type(got["pending"]["entities"]["n"]) is Pair and type(got["data"]["o"]) is OrderedDict
    assert type(got["card"]["fields"]) is tuple and type(got["data"]["offered_to"]) is list
    assert got["data"]["offered_to"] is not reply.data["offered_to"]
    assert got["pending"]["entities"]["l"][1] is not reply.pending["entities"]["l"][1]
    assert Reply.from_json(Reply(markdown="m", card=card).to_json()).card == card
