"""Parser: normalise, collect signals, pick an intent, extract the entities that intent uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from . import entities as E
from . import clock_times as C
from . import jobs as J
from . import periods as P
from .cues import CLAIM_STRONG, CLAIM_WEAK, COMPLETE, QUESTION, RATING, STATUS_QUERY
from .answers import mentions_last
from .commands import read_command
from .intents import Signals, classify
from .lexicon import Lexicon, find_all
from .model import DEFAULT_PATH, STATUS_PATH, STATUSES, IntentModel, dense_features, model_text
from .normalize import Normalized, normalize
from .quotes import Reply, forwarded_words, relayed, site_heading, split_reply, strip_preface, without_speaker
from .repair import ACTION_WORDS, Repair, Repairer
from .signals import ELSEWHERE, HAZARD, HYPOTHETICAL, NOT_A_SYMPTOM, NOTICE, PERIL, RELAPSE, REQUEST, RESOLVED, SYMPTOM, URGENT

EXTRACTOR = "wecom_desk_rules"
STATUS_SURE = 0.5

# Ticket numbers written without a marker ("1024 到了") are only trusted where an engineer or a
# customer talks about an existing job; in a new report "3楼" or "2台" are not tickets.
_BARE_TICKET_INTENTS = {"claim_job", "update_progress", "complete_job", "cancel_ticket", "query_status",
                        "rate_service"}


@dataclass(frozen=True)
class Parse:
    text: str
    intent: str
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)
    intent_ranking: list[tuple[str, float]] = field(default_factory=list)
    # Original-text [start, end) per entity key, when the value came from a stretch of text.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    # What was read differently from how it was typed (Cantonese forms, pinyin slips).
    repairs: tuple[Repair, ...] = field(default=(), compare=False)
    # A report the model is not sure of: the desk asks before it opens a ticket (a false ticket
    # costs more than a question). The entities are a report's either way.
    confirm: bool = False

    def to_rasa(self) -> dict[str, Any]:
        ents = []
        for key, value in self.entities.items():
            start, end = self.spans.get(key, (None, None))
            ents.append({"entity": key, "value": value, "start": start, "end": end,
                         "extractor": EXTRACTOR})
        return {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": self.confidence},
            "entities": ents,
            "intent_ranking": [{"name": n, "confidence": c} for n, c in self.intent_ranking],
        }


_DEFAULT = object()
TRAINING_NOW = datetime(2000, 1, 1)


class Parser:
    """The embedded parser: normalise and repair, the rules' signals, the learned model decides
    the intent (nlu/model.py), the rules extract the entities that intent uses.

    `model=None` gives the rules alone: what `nlu train` learns from, and a comparison point."""

    def __init__(self, lexicon: Lexicon, model: IntentModel | None | object = _DEFAULT, *,
                 confirm_below: float = 0.7, ask_above: float = 0.25,
                 status_model: IntentModel | None | object = _DEFAULT) -> None:
        """`confirm_below`: a report less likely than this is confirmed first; `ask_above`: a
        message read as nothing for us is still asked about when a report is this likely."""
        self.lexicon = lexicon
        self.confirm_below, self.ask_above = confirm_below, ask_above
        self.model: IntentModel | None = _load_default() if model is _DEFAULT else model  # type: ignore[assignment]
        # The rules alone stay rules alone: no learned step either.
        if status_model is _DEFAULT:
            status_model = _load_status() if self.model is not None else None
        self.status_model: IntentModel | None = status_model  # type: ignore[assignment]
        self.repairer = Repairer([*lexicon.skills, *lexicon.cities, *lexicon.regions, *ACTION_WORDS], keep=lexicon.person_re)
        self.repairer.warm()
        # Warm the regex cache and opencc's dictionaries now rather than on the first message.
        self.parse("@warmup 上海空调坏了 #1 工时1小时 配件1元 5星 本月结算", now=datetime(2000, 1, 1))

    def normalize(self, text: str) -> Normalized:
        return self._read(text)[0]

    def command(self, text: str) -> Parse | None:
        """A manager's command ("#4 派给 张伟", "华东区待派单", nlu/commands.py), when the whole
        message is one; None otherwise. Read before any model, by every backend."""
        norm, repairs = self._read(text or "")
        return self._command(text, norm, repairs)

    def _command(self, text: str, norm: Normalized, repairs: tuple[Repair, ...]) -> Parse | None:
        cmd = read_command(self.lexicon, norm.text)
        if cmd is None:
            return None
        return Parse(text=text, intent=cmd.intent, confidence=1.0, entities=dict(cmd.entities),
                     intent_ranking=[(cmd.intent, 1.0)], spans={k: norm.span(*sp) for k, sp in cmd.spans.items()},
                     repairs=repairs)

    def _read(self, text: str) -> tuple[Normalized, tuple[Repair, ...]]:
        norm = normalize(text, self.lexicon.mention_re)
        repaired, repairs = self.repairer(norm.text)
        # Repairs keep lengths, so the offsets back to the typed text stay as they are.
        return Normalized(repaired, norm.original, norm.offsets), tuple(repairs)

    def rule_status(self, text: str) -> str | None:
        """The step the rules' cue words read in a progress report (the status model's teacher
        for corpus lines that carry no `status:` label)."""
        norm, _ = self._read(_answer(text or ""))
        found = J.find_status(E.mask_terms(self.lexicon, norm.text))
        return found[0] if found else None

    def _status(self, s: str, cues: str) -> tuple[str, tuple[int, int] | None] | None:
        """The rules' cue words first (they carry a span); otherwise the status model's step when
        it gives it at least STATUS_SURE, so an unsure guess leaves the step unread and the desk
        asks which step it is rather than recording the wrong one."""
        found = J.find_status(cues)
        if found or self.status_model is None:
            return found
        name, p = self.status_model.rank(model_text(s), np.zeros(0))[0]
        return (name, None) if p >= STATUS_SURE else None

    def features(self, text: str) -> tuple[str, Any]:
        """What the model reads for a message: its n-gram text and the rules' signals (of the
        answer alone when the message pastes what it answers). Periods are read against a fixed
        date (TRAINING_NOW), so training never depends on the day it runs; the shipped model was
        trained so."""
        norm, _ = self._read(_answer(text or ""))
        sig, ranking, _ = self._signals(norm.text, TRAINING_NOW)
        return model_text(norm.text), dense_features(sig, ranking)

    def _signals(self, s: str, now: datetime | None) -> tuple[Signals, list[tuple[str, float]], dict[str, Any]]:
        lex = self.lexicon
        skill = E.find_skill(lex, s)
        explicit_ticket = E.find_ticket(s, allow_bare=False)
        cues = E.mask_terms(lex, s)  # cue words are looked for outside names
        problem = NOT_A_SYMPTOM.sub(" ", s)
        period = P.find_period(s, now or P.default_now())
        sig = Signals(
            skill=skill is not None,
            # Problem words are read in full text: "not cooling" must survive "cooling" being a
            # device synonym. Intent cue words are read with names blanked.
            symptom=SYMPTOM.search(problem) is not None,
            request=REQUEST.search(s) is not None,
            hazard=HAZARD.search(s) is not None,
            ticket_ref=explicit_ticket is not None or _bare_ticket_hint(s),
            question=QUESTION.search(cues) is not None,
            text=cues,
            raw=s,
            problem=problem,
            period=period is not None,
            names_only=period is not None and _names_only(lex, s, period[1]),
            elsewhere=ELSEWHERE.search(s) is not None,
        )
        return sig, classify(sig), {"skill": skill, "explicit_ticket": explicit_ticket, "cues": cues,
                                    "period": period}

    def parse(self, text: str, *, now: datetime | None = None, intent: str | None = None) -> Parse:
        """`intent`: read the message as this intent, decided elsewhere (the LLM backend); the
        entities are then the ones that intent uses.

        A message that starts with a pasted quote ("回复「22145 好了没」：修完了") is read by its
        answer; the quote gives context only (nlu/quotes.py)."""
        reply = split_reply(text or "")
        if reply is None:
            span = relayed(text or "")
            if span is not None:
                # "@小鲸 转一下阿芳的话：「消毒柜开了没反应」": what is passed on is what is said
                a, b = span
                inner = self._past_preface(text[a:b], now, intent)
                return replace(inner, text=text, spans=_shifted(inner.spans, a))
            span = forwarded_words(text) if intent is None else None
            if span is not None:
                # "转发 吧台小美：制冰机不出冰了": a colleague's report, forwarded with nothing
                # added. It may be meant for the desk or only for the group: asked, never opened.
                a, b = span
                inner = self._past_preface(text[a:b], now, intent)
                if inner.intent == "create_ticket":
                    return replace(inner, text=text, spans=_shifted(inner.spans, a), confirm=True)
            return self._past_preface(text, now, intent)
        return self._in_context(text, self._past_preface(reply.body, now, intent), reply, now)

    def _past_preface(self, text: str, now: datetime | None, intent: str | None) -> Parse:
        """A message read without a newcomer's words about the process ("hi all, new here - is
        this where we log faults? the slush machine …", "不好意思 我是新来的 … 这种也能报吗"): what is
        left decides when it reads as something to do; otherwise the whole message does (a
        question about the desk, a greeting)."""
        read = self._read(text or "")   # once: normalising and repairing is most of a parse
        whole = self._parse(text, now=now, intent=intent, read=read)
        if intent is not None:
            return whole
        norm = read[0]
        cores = [strip_preface(norm.text)]
        if whole.intent in ("unknown", "help"):
            # "各位辛苦了…下周请大家吃饭。对了小鲸，把2月份华东的维修费用汇总发我一下": the part
            # said to the bot by name, when the whole reads as chat
            called = [m.end() for m in self.lexicon.address_re.finditer(norm.text)]
            if called and re.search(r"\w", norm.text[called[-1]:]):
                cores.append((called[-1], len(norm.text)))
            after = site_heading(norm.text) if NOTICE.search(norm.text) is None else None
            if after is not None:
                # "Friperie Oberkampf : la caisse ne démarre plus": the site as a heading
                cores.append((after, len(norm.text)))
        for core in cores:
            if core is None:
                continue
            a, b = norm.span(*core)
            inner = self._parse(text[a:b], now=now)
            if inner.intent in ("unknown", "help"):
                continue
            spans = _shifted(inner.spans, a)
            # Where it is, when the part set aside named it ("Shenzhen photo studio: …")
            where = {k: v for k, v in whole.entities.items() if k in ("city", "region", "store") and k not in inner.entities}
            spans.update({k: whole.spans[k] for k in where if k in whole.spans})
            return replace(inner, text=text, entities={**inner.entities, **where}, spans=spans)
        return whole

    def _in_context(self, text: str, answer: Parse, reply: Reply, now: datetime | None) -> Parse:
        """The answer's reading, with what it leaves out taken from the quote it answers: the job
        the quote names, what broke and where (a report that answers "is the cam broken?"), and a
        bare mark answering a request for one."""
        lex = self.lexicon
        shift = reply.body_start
        spans = _shifted(answer.spans, shift)
        ents = dict(answer.entities)
        intent, confidence, ranking = answer.intent, answer.confidence, answer.intent_ranking
        qnorm, _ = self._read(reply.quote)
        q = qnorm.text
        found: dict[str, tuple[Any, tuple[int, int] | None]] = {}
        body = self._read(reply.body)[0].text   # once, for every reading of the answer below
        masked = E.mask_terms(lex, body)          # the answer's cue text, names blanked
        qmasked = E.mask_terms(lex, q)            # the quote's, likewise
        card_ticket = E.find_ticket(q, allow_bare=False)   # the job a pasted card names outright
        asks = QUESTION.search(masked) is not None or re.search(r"[?？]", body) is not None
        mark = _BARE_MARK.match(body)
        asks_mark = RATING.search(qmasked) is not None or _MARK_SCALE.search(q) is not None
        settled = False
        given = _LEADING_MARK.match(body) if asks_mark else None
        if given and "rating" not in ents:
            # "回复「请为 #22145 打分（1-5）」：4", "> How was #24038? Reply 1-5\n2, he left a mess"
            intent, confidence, ranking = "rate_service", 1.0, [("rate_service", 1.0)]
            if answer.intent != intent:
                ents, spans = self._entities_as(reply, now, intent)
            ents.pop("last_ticket", None)
            if "rating" not in ents:
                g = 1 if given.group(1) else 2
                ents["rating"] = E.RATING_WORDS.get(given.group(g)) or int(given.group(g))
                spans["rating"] = (shift + given.start(g), shift + given.end(g))
        elif ((intent == "unknown" or (intent == "update_progress" and COMPLETE.search(masked)))
              and (_ASKS_DONE.search(q) or _UNDER_WAY.search(q))
              and (RESOLVED.search(body) or COMPLETE.search(masked))):
            # "> #24529 is still open, please report completion\nall sorted, running again";
            # "「小鲸：#26620 施工中」 好了 下水通了": done, answering the job's own progress card
            intent, confidence, ranking = "complete_job", 1.0, [("complete_job", 1.0)]
            ents, spans = self._entities_as(reply, now, intent)
        elif mark and intent == "rate_service" and not asks_mark:
            # "回复「今天来了几个师傅」：4" answers the question quoted, not a request for a mark.
            intent, confidence, ranking = "unknown", 1.0, [("unknown", 1.0)]
            ents = {}
            spans = {}
        elif intent in ("unknown", "help") and (_OFFER.search(q) or _ASSIGNED.search(q)) and (
                dict(ranking).get("claim_job", 0.0) >= CLAIM_AFTER_OFFER
                or _claims(masked)):
            # "我去" under a pasted new-job card: a claim of that job, which the answer alone
            # leaves the model unsure of; "收到 我这边接了" under "已派给 陈杰", the job taken on.
            intent, confidence, ranking = "claim_job", 1.0, [("claim_job", 1.0)]
            ents, spans = self._entities_as(reply, now, intent)
        elif intent in ("unknown", "help") and card_ticket and STATUS_QUERY.search(masked) and asks:
            # "「Jing: Ticket 26811 created」 who got assigned?": a question about the job on the card
            intent, confidence, ranking = "query_status", 1.0, [("query_status", 1.0)]
            ents, spans = self._entities_as(reply, now, intent)
        elif (card_ticket is None and E.find_ticket(body, allow_bare=False) is None
              and (intent in ("unknown", "help", "query_status") or (intent == "cancel_ticket" and "ticket" not in ents)
                   or (intent == "create_ticket" and answer.confirm))
              and (REQUEST.search(masked) or self._passes_on(reply.body, masked) or URGENT.search(masked)
                   or (_ME_TOO.search(body) and SYMPTOM.search(body)))
              and RESOLVED.search(body) is None and CLAIM_STRONG.search(masked) is None
              and self._quote_reports(reply.quote, masked, now)):
            # "> Front desk: 908 says there's no water pressure\n@Jing can you send someone up": a
            # colleague's report, passed on with a request — the report, with what it names. The
            # request settles a report the quote alone left in doubt ("> 保安：灯杆被车撞歪了，电线露在
            # 外面\n这个得赶紧处理一下"); "+1，我们隔壁那间也不亮" under one is the same fault here too;
            # so is a report handed over with no more than "转给 @小鲸", "@Jing svp" or the bot's name.
            intent, confidence, ranking = "create_ticket", 1.0, [("create_ticket", 1.0)]
            ents, spans = self._entities_as(reply, now, intent)
            ents.pop("ticket", None)
            spans.pop("ticket", None)
            settled = True
        elif (intent in ("unknown", "help") and self._passes_on(reply.body, masked)
              and (asked := self._parse(reply.quote, now=now)).intent == "settlement_summary"):
            # "> 孙丽：把西南区上个月的费用汇总发群里\n@小鲸 按孙总说的，出一下": a manager's request for
            # the sums, handed to the desk — with the period and region the request names
            intent, confidence, ranking = "settlement_summary", 1.0, [("settlement_summary", 1.0)]
            ents = dict(asked.entities)
            spans = _shifted(asked.spans, reply.quote_start)
        elif intent == "unknown" and _ASKS_FIELD.search(q) and asks:
            # "> 小鲸：请补充城市\n啥意思？这个城市要怎么填": a question about what the desk asked for
            intent, confidence, ranking = "help", 1.0, [("help", 1.0)]
            ents, spans = {}, {}
        elif (intent == "unknown" and card_ticket and STATUS_QUERY.search(qmasked)
              and J.find_status(masked) is not None):
            # "「赵敏：#29245 那边什么情况？」 刚到 在跟店长对问题": the engineer's step, answering
            # a question about the job
            intent, confidence, ranking = "update_progress", 1.0, [("update_progress", 1.0)]
            ents, spans = self._entities_as(reply, now, intent)
        elif intent == "update_progress" and ents.get("status") == "departed" and _OFFER.search(q):
            # "on it, can be there in about an hour" under a new-job card: nobody sets off for a job
            # that is not theirs yet, so it is a claim, with its time to arrive.
            intent, confidence, ranking = "claim_job", 1.0, [("claim_job", 1.0)]
            ents, spans = self._entities_as(reply, now, intent)
        # A doubtful report the quote has shown to be something else is read as that; one the quote
        # has shown to be a colleague's report passed on is no longer in doubt.
        doubtful = answer.confirm and intent == answer.intent and not settled
        what = "create_ticket" if doubtful else intent
        if (what in _BARE_TICKET_INTENTS and "ticket" in ents and card_ticket is not None
                and E.find_ticket(body, allow_bare=False) is None):
            # The card names the job outright; a bare number in the answer is an amount or a time
            # ("「#27307 处理中」 完工了，换了压缩机180").
            ents.pop("ticket")
            spans.pop("ticket", None)
        if what in _BARE_TICKET_INTENTS and "ticket" not in ents:
            ticket = card_ticket or E.find_ticket(q, allow_bare=True)
            if ticket:
                found["ticket"] = ticket
                ents.pop("last_ticket", None)
        if what in _BARE_TICKET_INTENTS or what == "create_ticket":
            # The job's device and place, as a whole message naming them would give them.
            skill = E.find_skill(lex, q)
            if skill and "skill" not in ents:
                found["skill"] = skill
            for key, value in E.find_place(lex, q).items():
                if key not in ents:
                    found[key] = value
        if "person" not in ents and (what == "query_status" or (what == "claim_job" and _ASSIGNED.search(q))):
            # The engineer the card names: "「…已派给 张伟」 他出发了没" asks after him; "「…已派给
            # 陈杰」 收到 我接了" takes on the job the card hands him (and only a card that hands it)
            person = E.find_person(lex, q)
            if person:
                found["person"] = person
        if intent == "create_ticket" and "ticket" not in ents and card_ticket:
            # A new fault under an earlier job's pasted card ("「小鲸：#26118 已完工」 又不制冷了"):
            # that job, which the desk links the new one to (handlers/tickets.py).
            found["ticket"] = card_ticket
        if what == "create_ticket":
            store = E.find_store(q)
            if store and "store" not in ents:
                found["store"] = store
            urgency = E.find_urgency(q)
            if urgency[0] == "urgent" and ents.get("urgency") != "urgent":
                found["urgency"] = urgency
        for key, (value, sp) in found.items():
            ents[key] = value
            if sp is not None:
                a, b = qnorm.span(*sp)
                spans[key] = (a + reply.quote_start, b + reply.quote_start)
        return Parse(text=text, intent=intent, confidence=confidence, entities=ents, intent_ranking=ranking,
                     spans=spans, repairs=answer.repairs, confirm=doubtful)

    def _quote_reports(self, quote: str, masked: str, now: datetime | None) -> bool:
        """The quote is a report (or one the desk would ask about), read with and without the
        name of who said it. When the answer asks outright for a repair to be filed ("@小鲸 报修一下",
        "这个登记一下", "for the desk pls"), a quote the model reads as nothing is taken as the report
        too, unless it is a notice, over, someone else's or a what-if: nobody asks the desk to file
        chit-chat, and the model, reading a colleague's words about a machine it does not know
        ("片冰机一点冰都不出"), often has nothing to go on."""
        if NOTICE.search(self._read(quote)[0].text):
            return False   # "物业：本周六上午停水": who said it makes it a notice, whatever is asked
        asks = _ASKS_REPAIR.search(masked) is not None
        for said in dict.fromkeys((quote, without_speaker(quote))):
            read = self._parse(said, now=now)
            if _reports(read):
                return True
            p_report = dict(read.intent_ranking).get("create_ticket", 0.0)
            if asks and read.intent == "unknown" and p_report >= _HANDED_REPORT:
                s = self._read(said)[0].text
                sig = self._signals(s, now)[0]
                worded = sig.skill or sig.symptom or sig.hazard or sig.request
                if ((worded or p_report >= 3 * _HANDED_REPORT) and NOTICE.search(s) is None
                        and ELSEWHERE.search(s) is None and not _over(s) and not _what_if(s)):
                    return True
        return False

    def _passes_on(self, body: str, masked: str) -> bool:
        """The answer only hands the quote to the desk: it @-mentions someone (the bot, or a
        colleague the lexicon names and masks), names the bot or says "report this", and nothing is left once the
        bot's name, those words and politeness are taken out
        ("@小鲸", "转给 @小鲸", "@小鲸 报一下 谢谢", "Jing kindly log a complaint for the same",
        "@Jing svp"). "谢谢" or "哈哈" alone under a colleague's words hands nothing over."""
        named = self.lexicon.name_re
        calls = "@" in body or (named is not None and named.search(masked) is not None)
        if not calls and _HAND_OVER.search(masked) is None:
            return False
        rest = _POLITE.sub(" ", _HAND_OVER.sub(" ", masked))
        if named is not None:
            rest = named.sub(" ", rest)
        return re.sub(r"[\W\d_]+", "", rest) == ""

    def _entities_as(self, reply: Reply, now: datetime | None,
                     intent: str) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
        """The answer's entities once the quote has shown it is `intent` ("我来，半小时到" under a
        new-job card: the time to arrive)."""
        again = self._parse(reply.body, now=now, intent=intent)
        shift = reply.body_start
        return dict(again.entities), _shifted(again.spans, shift)

    def _parse(self, text: str, *, now: datetime | None = None, intent: str | None = None,
               read: tuple[Normalized, tuple[Repair, ...]] | None = None) -> Parse:
        """`read`: the text already normalised and repaired (`_read`), when the caller has it."""
        given = intent
        norm, repairs = read if read is not None else self._read(text or "")
        if given is None:
            # A manager's structured command is read by rule before the model sees anything.
            command = self._command(text, norm, repairs)
            if command is not None:
                return command
        s = norm.text
        lex = self.lexicon
        found: dict[str, tuple[Any, tuple[int, int] | None]] = {}
        sig, ranking, got = self._signals(s, now)
        skill, explicit_ticket, cues, period = got["skill"], got["explicit_ticket"], got["cues"], got["period"]
        rules_say = ranking[0][0]
        if given is not None:
            ranking = [(given, 1.0)]
        elif explicit_ticket and E.only_a_ticket(s):
            # "#12" alone, or beside a photo: the sender points at the job and asks after it. The
            # model has no words to go on, so it is not asked.
            ranking = [("query_status", 1.0)]
        elif E.LAUGHTER.fullmatch(s.strip()) or E.TEMPLATE.search(s):
            # "55555": laughing in Thai; "例：#11XXX 完工": a format shown, not a job reported
            ranking = [("unknown", 1.0)]
        elif self.model is not None:
            ranking = self.model.rank(model_text(s), dense_features(sig, ranking))
        notice = NOTICE.search(s) is not None
        if given is None and self.model is not None and ranking[0][0] == "create_ticket" and notice:
            # A notice or a forward never opens a ticket, whatever its words: the next reading.
            ranking = [(i, p) for i, p in ranking if i != "create_ticket"] or [("unknown", 1.0)]
        if (given is None and ranking[0][0] in _BARE_TICKET_INTENTS and not explicit_ticket
                and E.names_other_number(s) and E.find_ticket(s, allow_bare=True) is None):
            # A step of a job whose only number is a parcel's or a supplier's order is about that
            # order ("供应商订单号 20571 的面粉到了"): no job of ours.
            ranking = [("unknown", ranking[0][1])]
        if (given is None and ranking[0][0] in ("update_progress", "complete_job", "query_status") and explicit_ticket
                and _PAST_JOB.search(s) and RELAPSE.search(s) and SYMPTOM.search(s)):
            # "上次#36018修过的那个冰柜又不制冷了": a fault come back after that job — a new report,
            # which the desk links to the job it names (handlers/tickets.py)
            ranking = [("create_ticket", ranking[0][1])] + [r for r in ranking if r[0] != "create_ticket"]
        intent, confidence = ranking[0]
        confirm = given is None and self._doubtful_report(intent, confidence, dict(ranking).get("create_ticket", 0.0),
                                                          rules_say, notice, sig.elsewhere or _over(s) or _what_if(s), s,
                                                          sig.skill or sig.symptom or sig.hazard or sig.request)
        what = "create_ticket" if confirm else intent   # the entities to read
        places = E.find_place(lex, s)
        person = E.find_person(lex, s)

        if skill:
            found["skill"] = skill
        found.update(places)
        if person:
            found["person"] = person
        ticket = explicit_ticket or (E.find_ticket(s, allow_bare=True) if what in _BARE_TICKET_INTENTS else None)
        if ticket:
            found["ticket"] = ticket
        elif mentions_last(s):
            found["last_ticket"] = (True, None)   # "刚才那个单", "the last one": the sender's latest

        if what == "create_ticket":
            found["urgency"] = E.find_urgency(s)
            store = E.find_store(s)
            if store:
                found["store"] = store
        elif what == "update_progress":
            slot = C.find_clock_time(s)   # "#12 明天上午10点到": a visit time (handlers/appointments.py)
            if slot:
                found["slot"] = slot
            status = self._status(s, cues)
            if status:
                found["status"] = status
                if status[0] in ("departed", "delayed", "arrived"):
                    eta = J.find_eta(s)
                    if eta:
                        found["eta"] = eta
                elif status[0] == "parts_needed":
                    parts = J.find_parts_text(s)
                    if parts:
                        found["parts"] = parts
        elif what == "complete_job":
            hours = J.find_labor_hours(s)
            if hours:
                found["labor_hours"] = hours
            amount = J.find_parts_amount(s) or J.find_leftover_amount(
                s, [sp for k in ("ticket", "labor_hours") if k in found and (sp := found[k][1]) is not None])
            if amount:
                found["parts_amount"] = amount
        elif what == "claim_job":
            eta = J.find_eta(s)   # "我接20871，大概40分钟到店": the customer is told when
            if eta:
                found["eta"] = eta
        elif what == "rate_service":
            rating = E.find_rating(s)
            if rating:
                found["rating"] = rating
        elif what == "settlement_summary":
            if period:
                found["period"] = period

        ents = {k: v for k, (v, _) in found.items()}
        spans = {k: norm.span(*sp) for k, (_, sp) in found.items() if sp is not None}
        return Parse(text=text, intent=intent, confidence=round(confidence, 4), entities=ents,
                     intent_ranking=ranking, spans=spans, repairs=repairs, confirm=confirm)

    def _doubtful_report(self, intent: str, confidence: float, p_report: float, rules_say: str,
                         notice: bool, not_ours: bool, text: str, worded: bool) -> bool:
        """A ticket opens without asking only when the model is sure, the rules agree it is a
        report and nothing says the fault may be someone else's (a neighbour's, at home, a what-if)
        or over or a what-if (`not_ours`); "nothing for us" is asked about when a report is likely or the rules
        read one (someone trapped in a lift must never be silently ignored).

        `worded`: the message names a device, a fault, a danger or a request. Without any of them the
        model's doubt comes from the letters alone ("secret santa budget is 200 baht"), and over
        batches 3–33 it never stood for a real report: such a message is not asked about."""
        if self.model is None or notice:
            return False   # the rules alone are never unsure; a notice or a forward is never a report
        if intent == "create_ticket":
            return confidence < self.confirm_below or rules_say != "create_ticket" or not_ours
        if intent != "unknown":
            return False
        if confidence >= 0.9 and _PROCEDURE.search(text):
            # "如果电梯困人了，是不是先打119？", a training quiz's "第一步应该做什么": a question about what
            # to do, which the model reads as one; the danger in it is asked about, not happening
            return False
        if not_ours and PERIL.search(text) is None:
            # The model reads no report and the words say someone else's or over: asking would
            # put a question to every story about a neighbour's leak. Danger to people is still asked.
            return False
        return (p_report >= self.ask_above and worded) or rules_say == "create_ticket"


def _shifted(spans: dict[str, tuple[int, int]], by: int) -> dict[str, tuple[int, int]]:
    """Spans read in a part of the message, as offsets into the whole of it."""
    return {k: (a + by, b + by) for k, (a, b) in spans.items()}


def _reports(p: Parse) -> bool:
    """A report, or a message the desk would ask about as one."""
    return p.intent == "create_ticket" or (p.confirm and p.intent == "unknown")


# Handing a colleague's report to the desk ("转给 @小鲸", "pls help report this", "tu peux signaler
# ça ?", "น้องหน้าร้านแจ้งมาค่ะ"), and the politeness and small words around it
_HAND_OVER = re.compile(
    r"(?:转|上)?报(?:个修|修|一下|下)?|登记|记(?:一)?下|同上|安排|处理|跟进|转给|转交|转你|交给你|派(?:个)?人|看看|看一?下"
    r"|(?:同事|店员|前台|员工|他们|她|他|门店|店里)(?:刚)?(?:反映|反馈|说|报|发)(?:的|了|来)?"
    r"|[a-z\u4e00-\u9fff]{1,6}?(?:刚才?|刚刚)?(?:说|讲|反映|反馈)的|(?:老板|店长|经理|主管|领导|[\u4e00-\u9fff]总)(?:说|让|叫)(?:我)?(?:的)?"
    r"|(?:出|发|弄|搞|做)(?:一)?下"
    r"|(?<![a-z])(?:report(?:ing)?|log(?:ged)?|raise|open|handle|arrange|fyi|over to you|for (?:the )?(?:desk|maintenance)|on signale|"
    r"from the (?:floor|front|store|shop|kitchen|night|day) (?:staff|team|desk|manager)|send (?:a )?(?:tech|technician|someone|somebody)|"
    r"svp|stp|s'il (?:te|vous) plait|signale[rz]?|ouvrir|ouvre)(?![a-z])"
    r"|แจ้ง(?:ซ่อม)?(?:มา)?|ฝาก")
_POLITE = re.compile(
    r"这个|在这(?:里|儿)|在群里|这|此|按|找|对|是的|嗯|帮忙|帮我|帮|麻烦(?:你|您)?|请|劳烦|辛苦(?:了)?|谢谢|多谢|感谢|拜托|一下|下|了|吧|啊|哈|呀|哦|呢"
    r"|(?<![a-z])(?:please|pls|plz|kindly|thanks|thank you|thx|for you|help|can you|could you|this|it|that|one|the same|a|an|"
    r"complaint|ticket|request|job|for|merci|tu peux|vous pouvez|peux-tu|pouvez-vous|un|une|ca|cela|le|la|demande|pour toi)(?![a-z])"
    r"|ช่วย|รบกวน|ให้|ด้วย|หน่อย|ค่ะ|ครับ|คะ|นะ|จ้า|น้อง(?:หน้าร้าน|ที่ร้าน|พนักงาน)?|พี่|ขอบคุณ")


# A quote handed over with a request to file it is the report when the model gives a report at
# least this much (or three times this when its words name no device, fault or danger): enough
# to leave out a notice of a planned outage ("本周六停水", 0.03) and small talk (0.00).
_HANDED_REPORT = 0.05

# Asking outright for a repair to be filed for what is quoted: "报修一下", "这个登记一下", "转报",
# "安排个人过来", "log this", "for the desk pls", "on signale ça", "แจ้งซ่อม".
_ASKS_REPAIR = re.compile(
    r"报修|报个修|(?<![汇总])报(?:一)?下|(?:马上|赶紧|尽快|赶快)处理|登记|记(?:一)?下|转报|上报|开(?:个|一)?(?:工)?单|派(?:个|一个|位)?(?:人|师傅|工程师)|安排(?:个|一个|位)?(?:人|师傅|工程师)(?:过来|来|上门|修|看|处理)"
    r"|(?<![a-z])(?:report (?:this|it)|log (?:this|it|a (?:ticket|job|call))|(?:raise|open) a (?:ticket|job)|"
    r"for (?:the )?(?:desk|maintenance)|signale[rz]?|ouvr(?:ir|ez|e) (?:un|une) (?:ticket|demande))(?![a-z])|แจ้งซ่อม")

# A job done before, named by its number: "上次#36018修过的", "last time (#36018)", "la dernière fois, le 36018".
_PAST_JOB = re.compile(r"(?:上次|上回|之前|以前|(?<![a-z])(?:last time|previously|la derniere fois))[^,.!?，。！？\d]{0,6}"
                       r"(?:#|单号|工单|(?<![a-z])(?:ticket|job)\s*)?\s*\d{2,8}")

# "+1", "me too", "我们这边也…": the same fault, here as well
_ME_TOO = re.compile(r"^\W*\+\s*1(?!\d)|(?:我们|我这边|这边|我们这边|我们店|咱们)[^,.!?，。！？]{0,10}也|(?<![a-z])(?:same here|me too|ours too|moi aussi|chez nous aussi)(?![a-z])|ที่นี่ก็")


def _claims(s: str) -> bool:
    """Claim words, the weak ones too ("me", "got this"): under an offer they can only be a claim."""
    return CLAIM_STRONG.search(s) is not None or CLAIM_WEAK.search(s) is not None


def _answer(text: str) -> str:
    reply = split_reply(text)
    return reply.body if reply is not None else text


# A job offered to whoever takes it: a new-job card or a "who can go?" pasted above an answer.
_OFFER = re.compile(r"新(?:工)?单|待接单|待派|谁(?:接|去|有空|能去)|(?<![a-z])(?:new (?:job|ticket|request)|needs? an? (?:engineer|tech)|"
                    r"anyone free|who can (?:go|take)|nouveau ticket|nouvelle (?:demande|intervention)|qui (?:prend|peut y aller))(?![a-z])|"
                    r"งานใหม่|ใครว่าง|ใครรับ")
CLAIM_AFTER_OFFER = 0.1
# A card handing a job to someone: "工单 #28077 已派给 陈杰", "#123 assigned to Lucas".
_ASSIGNED = re.compile(r"已?(?:派给|指派给|分配给|转给)|(?<![a-z])(?:assigned to|attribuee? a|affectee? a)(?![a-z])|มอบหมายให้|ส่งงานให้")

# A mark alone, answering a request for one: "4", "5 thx", "4星", "5/5 👍".
_PARTICLES = r"(?:ครับ|ค่ะ|คะ|นะ|จ้า|เลย|啦|吧|呀|哦)"
# … or a mark first, a comment after it, when a mark was asked for: "2, engineer left a mess", "3 ครับ".
# The mark may be a word: "two. lift broke again the next day", "trois, pas terrible".
_LEADING_MARK = re.compile(r"^\s*(?:@\S+\s+)*(?:([1-5])(?!\d|\.\d)(?:\s*(?:星|分|颗星|stars?|/\s*5|ดาว|คะแนน))?"
                           r"(?=\s*(?:[,，.。!！:：;；\-—–(（]|" + _PARTICLES + r"|$)|\s+[a-z\u4e00-\u9fff\u0e00-\u0e7f])|"
                           r"(" + "|".join(sorted(E.RATING_WORDS, key=len, reverse=True)) + r")(?=\s*(?:[,，.。!！:：;；\-—–]|$)))")
# A request for a mark without the word: "Reply 1-5", "（1到5）", "how was the service".
_MARK_SCALE = re.compile(r"(?<![\d.])1\s*(?:-|–|~|到|至|to|a|ถึง)\s*5(?![\d.])|(?<![a-z])how (?:was|did) (?:the|our|your|it|he|she|they)|"
                         r"comment (?:s'est passee?|etait) l'intervention")
# A quoted request for the job's completion: "please report completion", "请回复完工", "เสร็จหรือยัง".
_ASKS_DONE = re.compile(r"(?<![a-z])(?:report (?:the )?completion|(?:is it|is that|all) (?:done|finished|fixed)|"
                        r"confirm (?:it'?s )?(?:done|fixed)|c'est (?:termine|fini|repare)|terminee? \?)(?![a-z])|"
                        r"(?:回复|报|报一下)完工|完工了(?:吗|没)|修好了?(?:吗|没)|好了没|เสร็จ(?:หรือยัง|แล้วยัง)|ซ่อมเสร็จยัง")

# A job's own progress card, pasted: it is under way, so "好了" under it is the job done.
_UNDER_WAY = re.compile(r"施工中|维修中|处理中|已到场|还(?:没|未)(?:完工|关单?)|(?<![a-z])(?:in progress|on site|work started|en cours|still open|toujours ouvert)(?![a-z])|"
                        r"กำลังซ่อม|กำลังดำเนินการ")

# The desk asking for something it needs: "请补充城市", "Please specify the city".
_ASKS_FIELD = re.compile(r"请(?:补充|提供|填写|告诉我)|(?<![a-z])(?:please (?:specify|give|provide|tell me)|veuillez (?:preciser|indiquer)|"
                         r"merci de (?:preciser|indiquer))(?![a-z])|กรุณา(?:ระบุ|แจ้ง)")

_BARE_MARK = re.compile(r"^\s*(?:@\S+\s+)*([1-5])\s*(?:星|分|颗星|stars?|/\s*5)?[\W_]*"
                        r"(?:thx|thanks|thank you|谢谢|谢了|merci|ขอบคุณ\S*)?[\W_]*$")


@lru_cache(maxsize=1)
def _load_default() -> IntentModel:
    return IntentModel.load(DEFAULT_PATH)


@lru_cache(maxsize=1)
def _load_status() -> IntentModel | None:
    return IntentModel.load(STATUS_PATH, STATUSES) if STATUS_PATH.exists() else None


# Words that carry nothing in a manager's shorthand ("last month east", "上个月 华南的呢").
_FILLER = re.compile(r"[\W\d_]+|的|呢|吧|啊|呀|吗|ครับ|ค่ะ|คะ|ของ|"
                     r"(?<![a-z])(?:please|pls|plz|for|in|of|the|and|svp|pour|de|du)(?![a-z])")


def _names_only(lex: Lexicon, s: str, span: tuple[int, int]) -> bool:
    """True when the message is a period plus place or people names and nothing else."""
    chars = list(s)
    chars[span[0]:span[1]] = " " * (span[1] - span[0])
    named = False
    for m in find_all(lex.place_re, s) + find_all(lex.person_re, s):
        chars[m.start:m.end] = " " * (m.end - m.start)
        named = True
    return named and not _FILLER.sub("", "".join(chars))


def _over(s: str) -> bool:
    """The fault is told as over ("上周漏水那单已经搞定了"), and did not come back."""
    return RESOLVED.search(s) is not None and RELAPSE.search(s) is None


# Asking what to do in an emergency: "先打119还是先找你们", "第一步应该做什么", "who do we call if …"
_PROCEDURE = re.compile(
    r"(?:应该|应当|该)(?:先)?(?:做什么|干什么|怎么(?:做|办|处理)|找谁|打(?:哪个|什么)?(?:电话)?)|第一步|是不是(?:应该)?先|先打\d{3}|"
    r"(?<![a-z])(?:what (?:should|do|must) (?:we|i|staff) do (?:if|when|first)|who (?:do|should) (?:we|i) call (?:if|when|first)|"
    r"que (?:faut-il|doit-on) faire (?:si|en cas)|qui (?:faut-il |doit-on )?appeler (?:si|en cas|d'abord))(?![a-z])|"
    r"ต้องทำ(?:ยังไง|อย่างไร)(?:ก่อน)?|ต้องโทร(?:หา)?(?:ใคร|เบอร์อะไร)")


def _what_if(s: str) -> bool:
    """The message opens with a what-if ("If the power ever goes out…", "万一…"): nothing is broken now."""
    return HYPOTHETICAL.search(s) is not None


def _bare_ticket_hint(s: str) -> bool:
    # Engineers lead with the job number: "1024 到了", "接单 1024". Only a 2–7 digit number that
    # is not a quantity (unit after it) counts, so "3楼" and "30分钟" do not.
    return E.find_ticket(s, allow_bare=True) is not None

