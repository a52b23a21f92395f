"""A reply that pastes what it answers is read by its answer, with the quote as context."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from nlu.quotes import split_reply, strip_preface


@pytest.mark.parametrize("text,quote,body", [
    ("回复「22145 好了没」：修完了 工时1", "22145 好了没", "修完了 工时1"),
    ("回复 阿敏：「小票机又卡了？」 对 一直卡纸", "小票机又卡了？", "对 一直卡纸"),
    ("「张伟：我出发了」- - - - - - 收到", "张伟：我出发了", "收到"),
    ("@小鲸 『23118 谁接』 我来", "23118 谁接", "我来"),
    ("> store: is anyone coming for 22329?? — on site now", "store: is anyone coming for 22329??", "on site now"),
    ("> Kevin: is the cam fixed?\n> (sent 9:02)\nno, still grey", "Kevin: is the cam fixed?\n  (sent 9:02)", "no, still grey"),
    ("« Alors le 22527 ? » — fini, 3h", "Alors le 22527 ?", "fini, 3h"),
    ('Re: "is the fridge fixed?" — no, still warm', "is the fridge fixed?", "no, still warm"),
    ("回复「请为 #22145 打分（1-5）」：4", "请为 #22145 打分（1-5）", "4"),
])
def test_a_leading_quote_is_split_from_the_answer(text, quote, body):
    reply = split_reply(text)
    assert reply is not None and (reply.quote, reply.body) == (quote, body)
    assert text[reply.body_start:].startswith(body) and text[reply.quote_start:].startswith(quote.split("\n")[0])
    assert text[reply.quote_start:reply.quote_start + len(quote)].replace(">", " ") == quote


@pytest.mark.parametrize("text", [
    "新人报修示范：「徐汇店 二楼冷柜不制冷」 大家照这个写",   # an example in the middle reads whole
    "@小鲸 转发同事的话：「收银台下面的插座冒烟了」",
    "「冷库报警」",                                          # a quote alone is what is said
    "「冷库报警」？！",
    "remember「x」 ok",                                     # "re" only as a word
    "> 4",                                                   # a quote with no answer after it
    "「门口灯箱不亮」和「收银机黑屏」 两个问题",                 # … and a second quote is no answer
])
def test_a_message_that_does_not_start_with_an_answered_quote_reads_whole(text):
    reply = split_reply(text)
    assert reply is None or text == "「门口灯箱不亮」和「收银机黑屏」 两个问题", reply


@pytest.mark.parametrize("text,intent,entities", [
    ("回复「22145 好了没」：修完了 工时1 无配件", "complete_job", {"ticket": 22145, "labor_hours": 1, "parts_amount": 0}),
    ("回复「22472 师傅出发没？」：在路上了", "update_progress", {"ticket": 22472, "status": "departed"}),
    ("> store: is anyone coming for 22329?? — on site now, at your back door", "update_progress",
     {"ticket": 22329, "status": "arrived"}),
    ("回复「请为 #22145 打分（1-5）」：4", "rate_service", {"ticket": 22145, "rating": 4}),
    ("> Please rate job #22402 (1-5) — 5 thx", "rate_service", {"ticket": 22402, "rating": 5}),
    ("回复 小鲸：「新单 #22057 杭州西湖店 小票机卡纸」 我去", "claim_job",
     {"ticket": 22057, "skill": "pos", "city": "杭州", "region": "east"}),
    ("« Nouveau ticket #22527 » → ok je le prends", "claim_job", {"ticket": 22527}),
])
def test_the_answer_decides_and_the_quote_names_the_job(parser, text, intent, entities):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities
    for key in entities:   # every value points back at the words it came from
        a, b = p.spans[key]
        assert 0 <= a < b <= len(text)


@pytest.mark.parametrize("text", ["> Job 22318 completed — thanks Jing 🙏", "「张伟：22318 我出发了」- - - - - - 收到",
                                  "回复「冷库温度正常吗」：正常的 -18度"])
def test_thanks_or_a_reassurance_under_a_quoted_job_is_nothing_to_do(parser, text):
    p = parser.parse(text)
    assert p.intent == "unknown" and not p.confirm, p.intent_ranking


def test_a_report_whose_device_is_only_in_the_quote_takes_it_from_there(parser):
    p = parser.parse("> Kevin: is the door reader still broken? — yep still dead, nobody can badge in. pls log it")
    assert p.intent == "create_ticket" and p.entities["skill"] == "cctv"
    text = "「紧急」冷库温度12度 降不下来"
    p = parser.parse(text)
    assert p.entities["urgency"] == "urgent" and text[slice(*p.spans["urgency"])] in "紧急"


def test_a_bare_number_under_a_quote_that_asks_for_no_mark_is_no_mark(parser):
    p = parser.parse("回复「今天来了几个师傅」：4")
    assert p.intent != "rate_service" and "rating" not in p.entities


@pytest.mark.parametrize("text,intent,entities", [
    ("Re: where's the engineer??\non site for 24290, just parking the van", "update_progress",
     {"ticket": 24290, "status": "arrived"}),
    ("> Jing: How was the service for #24038? Reply 1-5\n2, engineer left a mess behind the counter", "rate_service",
     {"ticket": 24038, "rating": 2}),
    ("> น้องวาฬ: งาน #24804 เสร็จแล้ว กรุณาให้คะแนน 1-5\n3 ครับ", "rate_service", {"ticket": 24804, "rating": 3}),
    ("> Jing: #24529 is still open, please report completion\nall sorted, escalator running again", "complete_job",
     {"ticket": 24529}),
])
def test_a_mail_style_reply_and_an_answer_that_starts_with_its_mark(parser, text, intent, entities):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


@pytest.mark.parametrize("text,core", [
    ("hi all, new here - is this where we log faults? the slush machine isn't freezing anymore",
     "the slush machine isn't freezing anymore"),
    ("sorry, new starter, not sure I'm doing this right - Fryer 2 won't heat", "fryer 2 won't heat"),
    ("hello? just joined. water heater for the staff showers isn't working, who do I tell",
     "water heater for the staff showers isn't working"),
    ("请问一下 热狗机的滚轴不转了 这种也能报吗", "热狗机的滚轴不转了"),
    ("大家好 第一次在群里发消息 不知道这样说对不对😅 和面机转不动了", "和面机转不动了"),
    ("Excusez-moi, je viens d'arriver au resto U : le lave-vaisselle est en panne", "le lave-vaisselle est en panne"),
    ("ไม่แน่ใจว่าต้องแจ้งที่นี่หรือเปล่า บันไดเลื่อนหยุดวิ่งค่ะ", "บันไดเลื่อนหยุดวิ่งค่ะ"),
])
def test_a_newcomers_words_about_the_process_are_set_aside(text, core):
    from nlu.normalize import normalize
    s = normalize(text).text
    span = strip_preface(s)
    assert span is not None and s[span[0]:span[1]] == core


@pytest.mark.parametrize("text", ["hi", "大家好", "sorry!", "is this where we log faults?"])
def test_words_about_the_process_alone_are_what_is_said(text):
    from nlu.normalize import normalize
    assert strip_preface(normalize(text).text) is None


@pytest.mark.parametrize("text,intent", [
    ("hi all, new here - is this where we log faults? the slush machine in the shop isn't freezing anymore", "create_ticket"),
    ("请问一下 便利店热狗机的滚轴不转了 香肠一面焦一面生 这种也能报吗", "create_ticket"),
    ("เพิ่งใช้ระบบนี้ครั้งแรก ไม่รู้ต้องแจ้งยังไง เริ่มซ่อมงาน 24271 แล้วครับ", "update_progress"),
    ("hi, new here, how do I report a broken fridge?", "help"),      # the question about the desk stays one
    ("hello everyone, happy friday!", "unknown"),
])
def test_what_is_left_decides_when_it_is_something_to_do(parser, text, intent):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    for a, b in p.spans.values():
        assert 0 <= a < b <= len(text)


@pytest.mark.parametrize("text,intent,entities", [
    ("「新工单 #25502 冷柜不制冷」我来，半小时到", "claim_job", {"ticket": 25502, "eta": 30}),   # read again as a claim
    ("> New job 25159 · AC not cooling — I got this one", "claim_job", {"ticket": 25159}),
    ("ตอบกลับ: 'กรุณาให้คะแนนบริการ 1-5' — ให้ 5 ดาวค่ะ ช่างสุภาพมาก", "rate_service", {"rating": 5}),
    ("> How was the service on 25847? (1–5) — 1. Still broken.", "rate_service", {"ticket": 25847, "rating": 1}),
])
def test_under_an_offer_or_a_request_the_answer_is_read_as_what_it_answers(parser, text, intent, entities):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


def test_a_mark_under_a_pasted_request_keeps_nothing_of_a_report_reading(parser):
    """The answer alone ("3, fridge still a bit noisy") reads as a doubtful report; under a request
    for a mark it is a mark, with the job from the quote and no report's urgency or skill."""
    p = parser.parse("「Jing: #27001 completed – how was it? reply 1-5」 3, fridge still a bit noisy")
    assert p.intent == "rate_service" and not p.confirm
    assert (p.entities["ticket"], p.entities["rating"]) == (27001, 3) and "urgency" not in p.entities, p.entities


def test_a_quote_may_hold_the_other_quotation_marks():
    r = split_reply("「Jing: Sorry, I didn't catch that」 so how do I report a leak?")
    assert r is not None and r.quote == "Jing: Sorry, I didn't catch that" and r.body == "so how do I report a leak?"


@pytest.mark.parametrize("text,intent,entities", [
    # a new fault under a finished job's card: the job it follows
    ("「小鲸：#28118 已完工」 同一台冷柜又不制冷了", "create_ticket", {"ticket": 28118, "skill": "hvac"}),
    ("「Jing: job #28761 done」 the same tap is dripping again", "create_ticket", {"ticket": 28761, "skill": "plumbing"}),
    # "好了" under the job's own progress card is the job done
    ("「小鲸：#28620 维修中」 好了 通了 1.5h 无配件", "complete_job", {"ticket": 28620, "labor_hours": 1.5}),
    # setting off for an offered job is taking it
    ("「Jing: new job #28384 – fryer won't heat」 on my way, there in 40 min", "claim_job", {"ticket": 28384, "eta": 40}),
    # the engineer the card names
    ("「小鲸：工单 #28502 已派给 刘洋」 他到哪了", "query_status", {"ticket": 28502, "person": "liuyang"}),
    ("「Jing: ticket 28811 created」 who got assigned?", "query_status", {"ticket": 28811}),
])
def test_the_card_a_message_answers_gives_it_its_job_and_its_step(parser, text, intent, entities):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


@pytest.mark.parametrize("text,intent,entities", [
    # a colleague's report passed on with a request: the report, and a room is no job number
    ("> Front desk: 1711 says the shower has no hot water\n@Jing could you send someone up", "create_ticket", {"ticket": None}),
    ("「前台：1203房马桶堵了」 @小鲸 帮忙派个师傅上去", "create_ticket", {"skill": "plumbing", "ticket": None}),
    # … even when the quote alone would only have been asked about: the request settles it
    ("> 保安：仓库门口那根灯杆被叉车撞歪了，电线露在外面\n@小鲸 这个得赶紧处理一下", "create_ticket", {"skill": "electrical"}),
    ("> Awa : la hotte ne tire plus rien depuis midi\n@Jing tu peux créer une demande ?", "create_ticket", {"skill": "hvac"}),
    # "+1" under a colleague's report: the same fault here too
    ("> 店长：二楼会议室投影又不亮了\n+1，我们三楼那间也不亮 @小鲸", "create_ticket", {}),
    # a report handed to the desk with no more than the bot's name or "report this"
    ("> 收银小周：三号收银机的钱箱弹不开\n转给 @小鲸", "create_ticket", {"skill": "pos"}),
    ("> 吧台阿杰：制冰机不出冰了\n@小鲸", "create_ticket", {}),
    ("> Ravi: the walk-in chiller is at 9 degrees\n@Jing kindly log a complaint for the same", "create_ticket", {"skill": "hvac"}),
    ("> Awa : la machine à glaçons coule par en dessous\n@Jing svp", "create_ticket", {"urgency": "urgent"}),
    ("> น้องมิ้นท์: เครื่องพิมพ์ใบเสร็จไม่ออกกระดาษ\n@Jing แจ้งซ่อมให้ด้วยค่ะ", "create_ticket", {"skill": "pos"}),
    # the card names the job; a bare number in the answer is an amount
    ("「小鲸：#28307 处理中」 完工了 换了个电容85 工时2h", "complete_job", {"ticket": 28307, "labor_hours": 2}),
    ("> Jing: #28334 is still open\nsorry, finished it yesterday, 30 mins, no parts", "complete_job", {"ticket": 28334, "labor_hours": 0.5}),
    ("> 小鲸：请补充门店\n门店怎么写？写商场名行不行", "help", {}),
    ("「จิง: กรุณาให้คะแนนงาน #๒๘๖๖๗ (๑-๕)」 ๕ ค่ะ", "rate_service", {"ticket": 28667, "rating": 5}),   # Thai digits
])
def test_a_relayed_report_a_finished_job_and_a_question_about_a_request_are_read_in_context(parser, text, intent, entities):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


def test_a_dash_inside_a_quoted_card_line_is_the_cards_own(parser):
    p = parser.parse("> Jing: New job #29310 – the dishwasher won't drain\nmine, there in about 40 min")
    assert (p.intent, p.entities.get("ticket"), p.entities.get("eta")) == ("claim_job", 29310, 40), p.intent_ranking


def test_acknowledging_an_assignment_card_is_taking_the_job(parser):
    p = parser.parse("「小鲸：工单 #29311 已派给 李强」\n收到 我这边接了 下午两点前到")
    assert (p.intent, p.entities.get("ticket"), p.entities.get("person")) == ("claim_job", 29311, "liqiang"), p.entities


def test_a_step_under_a_managers_question_about_the_job_is_that_jobs_step(parser):
    p = parser.parse("「赵敏：#29404 那边什么情况？店长在催」\n刚到 在跟店长对问题")
    assert (p.intent, p.entities.get("ticket"), p.entities.get("status")) == ("update_progress", 29404, "arrived"), p.entities


@pytest.mark.parametrize("text,intent", [
    ("> 店长：空调又坏了\n谢谢", "unknown"),            # thanks for telling hands nothing over
    ("> 店长：空调又坏了\n哈哈", "unknown"),
    ("> 店长：空调又坏了\n已经好了 @小鲸", "unknown"),  # over
    ("> 店长：空调又坏了\n收到", "unknown"),
])
def test_a_colleagues_report_answered_with_thanks_or_an_ack_is_not_handed_over(parser, text, intent):
    assert parser.parse(text).intent == intent


@pytest.mark.parametrize("text,entities", [
    # asked outright to file it: a quote the model reads as nothing (a machine it does not know,
    # or the name of who said it in front) is the report
    ("> 后厨老李：和面机一点面都搅不动了 今天的包子还没做\n@小鲸 报修一下", {}),
    ("> 技师阿华：汗蒸房的循环泵响得厉害\n@小鲸 这个登记一下", {}),
    ("「投影仪开机几秒就自己关了」——前台小美说的 @小鲸 记一下", {}),
    ("> 成都店店长：门禁刷卡没反应 员工都进不来\n@小鲸 转报", {"skill": "cctv", "store": "成都店"}),
    ("> Thabo: the ticket printer at gate 2 keeps jamming\nfor the desk pls", {}),
    ("> Awa : la vitrine du rayon traiteur est à 11 degrés\n@Jing on signale ça svp", {}),
])
def test_a_quote_handed_over_with_a_request_to_file_it_is_the_report(parser, text, entities):
    p = parser.parse(text)
    assert (p.intent, p.confirm) == ("create_ticket", False), p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


@pytest.mark.parametrize("text", [
    "> 阿强：哈哈今天好冷\n@小鲸 报一下",                     # small talk is not filed, however asked
    "> 阿强：上周冰机坏了已经修好了\n@小鲸 登记一下",          # over
    "> 店长：明天盘点 大家早点到\n@小鲸 安排一下",
])
def test_a_request_to_file_what_is_no_fault_opens_nothing(parser, text):
    p = parser.parse(text)
    assert p.intent != "create_ticket" and not p.confirm, (p.intent, p.confirm, p.intent_ranking)


@pytest.mark.parametrize("text,intent,entities", [
    # a forward with a request under it passes a colleague's report on (a forward alone is a notice)
    ("转发 店长群：「二楼洗手池的水管松了，一直往外渗水」\n@小鲸 麻烦安排", "create_ticket", {"skill": "plumbing"}),
    ("【转发】教务处：「三号教室插座烧黑了，有焦味」\n@小鲸 速派电工", "create_ticket", {"skill": "electrical", "urgency": "urgent"}),
    ("TR : message de Paul — « le monte-charge s'arrête entre deux étages »\n@Jing merci de prévoir une intervention",
     "create_ticket", {"skill": "elevator"}),
    ("转发：「明天上午九点到十二点停水」 大家注意", "unknown", {}),
    # a manager's request for the sums handed to the desk: the sums, with what the request names
    ("> 王总：把华南区上个月的费用汇总发群里\n@小鲸 按王总说的，出一下", "settlement_summary",
     {"period": "last_month", "region": "south"}),
])
def test_a_forward_or_a_managers_request_handed_to_the_desk_is_read_in_context(parser, text, intent, entities):
    now = datetime(2028, 3, 16, 10, tzinfo=timezone(timedelta(hours=8)))
    p = parser.parse(text, now=now)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


def test_a_forward_with_nothing_after_it_reads_whole():
    assert split_reply("【转发】物业：「本周六停水」") is None
    assert split_reply("转发 店长群：「水管漏了」\n@小鲸 麻烦安排").body == "@小鲸 麻烦安排"


@pytest.mark.parametrize("text,intent", [
    # a forward's line with a short answer under it, a colleague's words passed on with the words last,
    # "同上" and "这个要快" under a quoted report: each passes the report on
    ("[转发] 夜班保安老王：凌晨两点门口摄像头全部掉线了\n小鲸 今天安排人看下", "create_ticket"),
    ("Forwarded message from the morning team: the dough mixer trips the breaker every time\n@Jing", "create_ticket"),
    ("@小鲸 转一下阿梅的话：「消毒柜按了开关没反应」", "create_ticket"),
    ("> Kevin：三楼wifi全断了\n@小鲸 同上，麻烦处理", "create_ticket"),
    ("> 后厨老陈：制冰机下面在漏水\n小鲸 这个要快，地上都是水了", "create_ticket"),
    # … but a notice stays a notice: from the building's management, or forwarded with more of itself under it
    ("[转发] 物业：本周日上午停电检修\n@小鲸 登记一下", "unknown"),
    ("转发：关于春季消防检查的通知\n各门店：请于4月10日前完成自查", "unknown"),
])
def test_relayed_reports_and_forwarded_notices(parser, text, intent):
    p = parser.parse(text)
    assert p.intent == intent, (p.intent, p.confirm, p.intent_ranking)
    assert not (intent == "unknown" and p.confirm), "a notice is not even asked about"


@pytest.mark.parametrize("text,entities", [
    # a colleague's report forwarded with nothing added: the forwarder may mean it for the desk or
    # only for the group, so the desk asks (one tap opens it) and opens nothing by itself
    ("转发 后厨阿坤：洗碗机不进水了，碗都堆着", {"skill": "appliance"}),
    ("转发自 李姐：「二楼女厕的马桶一直冲水停不下来」", {"skill": "plumbing"}),
    ("Fwd from the morning shift: 'the card terminal at till 2 keeps declining every card'", {"skill": "pos"}),
    ("Transféré de Chloé : « la caméra du parking n'affiche plus rien »", {"skill": "cctv"}),
])
def test_a_colleagues_report_forwarded_with_nothing_added_is_asked_about(parser, text, entities):
    p = parser.parse(text)
    assert (p.intent, p.confirm) == ("create_ticket", True), (p.intent, p.confirm, p.intent_ranking)
    assert entities.items() <= p.entities.items()


@pytest.mark.parametrize("text", [
    # … but what an office, the building or a group chat sent is a notice, and a person's notice too
    "转发自业主群：5栋电梯又坏了，物业电话一直打不通",
    "转发 物业管理处：周六上午九点到十二点大楼停水",
    "Fwd from Building Mgmt: lift B out of service Thursday morning for maintenance",
    "转发 孙丽：各店注意，报修请写清楚门店名称和设备位置",
    "ส่งต่อ: ประกาศจากห้าง ปิดบันไดเลื่อนชั้น 2 วันเสาร์นี้เพื่อบำรุงรักษา",
])
def test_a_forwarded_notice_is_not_even_asked_about(parser, text):
    p = parser.parse(text)
    assert p.intent == "unknown" and not p.confirm, (p.intent, p.confirm, p.intent_ranking)
