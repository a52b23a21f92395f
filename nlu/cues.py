"""Intent cue words, per intent and per language (regex fragments, see signals.build).

Matched on canonical text with device, place and people names blanked (entities.mask_terms), so
a city or a device name never counts as a cue.
"""

from __future__ import annotations

from .signals import build

# -- help ------------------------------------------------------------------------------------------

# A question about the process. Wins over everything, even a named broken device: "空调坏了应该
# 怎么报修" asks how, it does not report.
HELP_PROCESS = build(
    [
        r"(?:怎么|怎样|如何|咋)(?:样)?(?:才能|去|来)?(?:联系|找|报|查|用(?!不)|设置)",
        # "怎么给师傅评价", but not "怎么还没人接单" (a complaint about an existing job).
        r"(?:怎么|怎样|如何|咋)(?:样)?[^,.!?，。！？还没不]{0,4}?(?:报修|报障|评价|打分|取消|接单|抢单|结算|查看|查询|"
        r"提交|申请|使用|操作|下单|提单|看|上报|汇报|反馈|填写|登记|完工|退单|改约|催单)",
        r"(?:结算|报修|工单|评价|评分|派单|接单)(?:要|该|应该|需要)?(?:怎么|如何|咋)(?:看|查|弄|操作|做|用|提交|申请|算|填)",
        r"(?:需要|要|得)(?:提供|准备|填写?|上传|拍|带)(?:什么|哪些|啥)", r"(?:哪些|什么|啥)(?:步骤|流程|手续|规定)",
        r"(?:在|去)?哪(?:里|儿)?(?:可以|能)?(?:提交|操作|填|评价|打分|看|查看|设置|报修|取消|结算)",
        r"(?:报修|评价|结算|取消)(?:的)?(?:入口|在哪)", r"(?:哪些|什么)(?:信息|资料|材料)",
        r"(?:报修|维修)(?:后|以后|之后)?(?:一般|通常)?(?:要|需要|得)?(?:多久|多长时间|几天|几个小时)",
        # "工单取消了会扣钱吗", "可以语音报修吗": questions about the rules.
        r"(?:取消|报修|维修|评价)[^,.!?，。！？]{0,6}(?:扣钱|收费|要钱|花钱|扣分|罚款)",
        r"(?:可以|能|能不能|可不可以)[^,.!?，。！？]{0,6}报修(?:吗|么|[?？])",
        # "报修的时候要拍照吗": a question about doing a report, not a report.
        r"(?:报修|维修)(?:的时候|时|之前|前|以后|之后|后)[^,.!?，。！？]{0,8}(?:吗|么|[?？]|要不要|需不需要)",
        r"(?:报修|维修|接单|抢单|结算|取消|评价|派单|下单)(?:的)?(?:流程|步骤|方法|方式|规则|说明|指南|规定|制度|入口|电话)",
        r"流程是(?:什么|啥|怎样|怎么)", r"找谁(?:报修|修)?", r"(?:报修|维修)(?:电话|热线)", r"打什么电话",
        r"(?:能|可以)(?:帮我)?做(?:些)?什么", r"你(?:会|能)(?:干|做)?(?:什么|啥|嘛)", r"有(?:什么|啥)用",
        r"有(?:哪些|什么)功能", r"使用说明", r"使用手册", r"操作指南",
    ],
    [
        r"how (?:do|can|should|would) (?:i|we|you) (?:report|submit|open|file|create|cancel|rate|use|claim|log|"
        r"raise|request|check|see|view|track|find)",
        r"how to (?:report|use|submit|open|file|cancel|rate|claim|request|log|raise)", r"what can you do",
        r"what do you do", r"how does (?:this|it|the)(?: \w+)? work", r"how (?:do|does) (?:this|it|you) work",
        r"what can (?:this|the|you)(?: \w+)? do", r"what (?:does|do) (?:this|the|you)(?: \w+)? do",
        r"what(?:'s| is) the (?:process|procedure)", r"user guide", r"instructions",
        r"comment (?:signaler|faire|declarer|annuler|utiliser|ca marche|demander|ouvrir)",
        r"que (?:peux|sais)-tu faire", r"quelle est la procedure", r"mode d'emploi",
    ],
    [r"ใช้(?:งาน)?[^\s]{0,8}(?:ยังไง|อย่างไร)", r"วิธี(?:แจ้งซ่อม|ใช้|แจ้ง|ยกเลิก)", r"ทำอย่างไร", r"ทำยังไง",
     r"แจ้งซ่อมยังไง", r"แจ้งซ่อมอย่างไร", r"ใช้ยังไง"],
)

# Asking for the menu; loses to a real report ("help! water everywhere").
HELP_GENERIC = build([r"帮助", r"菜单", r"功能", r"说明书", r"指令", r"命令", r"怎么用"],
                     [r"help", r"menu", r"commands?", r"aide", r"usage"], [r"ช่วยเหลือ", r"เมนู", r"คู่มือ"])

# -- managers ----------------------------------------------------------------------------------------

SETTLEMENT = build(
    [r"结算", r"汇总", r"流水", r"对账", r"(?:的|看|查|算|对)账", r"营收", r"营业额", r"营业", r"收入", r"账单", r"报表",
     r"结账", r"统计", r"总账", r"产值", r"月结", r"账目", r"出账", r"赚了多少", r"挣了多少", r"收了多少", r"结了多少"],
    [r"settlements?", r"summary", r"summaries", r"revenue", r"statement", r"earnings", r"payouts?", r"billing",
     r"invoices? summary", r"turnover", r"income", r"how much (?:did|have|do) (?:we|i|they) (?:make|made|earn|earned|bill|billed)",
     r"bilan", r"releve", r"recapitulatif", r"recap", r"chiffre d'affaires", r"facturation"],
    [r"สรุปยอด", r"ยอดเงิน", r"สรุปรายได้", r"รายได้", r"สรุปบัญชี", r"ยอดขาย"],
)

# -- customers after the job -------------------------------------------------------------------------

RATING = build(
    [r"[⭐★🌟]", r"评分", r"打分", r"好评", r"差评", r"中评", r"评价", r"满分", r"满意度",
     r"(?<![\d.])[1-5一二两三四五]\s*(?:颗|个)?\s*星(?!期|级)", r"(?<![\d.])[1-5]\s*/\s*5(?!\d)",
     r"(?<![\d.])[1-5一二两三四五]\s*分(?!钟|之|钱|析|配|享|类|布|开|别|期|店|队|组|公司|部)",
     r"(?<![\d.])[1-5]\s*(?:out of|sur)\s*5(?!\d)"],
    [r"rate", r"rating", r"ratings", r"stars?", r"review", r"feedback", r"note", r"etoiles?", r"evaluation", r"avis"],
    [r"ดาว", r"ให้คะแนน", r"คะแนน", r"รีวิว"],
)

CANCEL = build(
    [r"取消", r"撤销", r"撤单", r"撤回", r"撤了", r"撤掉", r"不用修了", r"不用来了", r"不需要了", r"不修了", r"别来了",
     r"不要来了", r"不用过来", r"作废", r"算了", r"自己(?:弄|搞|处理|修)好", r"不用派", r"无需维修", r"不需要维修",
     r"不用(?:修|来|过来|派人)?了", r"(?:别|不要|不用)派", r"误报", r"报错单", r"报重了", r"重复报"],
    [r"cancel", r"cancelled", r"canceled", r"cancelling", r"nevermind", r"never mind", r"no longer needed",
     r"no need (?:to come|for (?:a |the )?(?:technician|repair|engineer|visit))", r"not needed (?:any ?more)",
     r"(?:don'?t|do not) need (?:the |a )?(?:technician|repair|engineer|visit)",
     r"close (?:the |my |this )?(?:ticket|request)", r"sorted it", r"ourselves",
     r"annuler", r"annule", r"annulez", r"nous-memes",
     r"(?:plus|pas) besoin (?:de (?:technicien|reparation|venir|passer|l'intervention))"],
    [r"ยกเลิก", r"ไม่ต้อง(?:มา|ซ่อม|ส่งช่าง)", r"ซ่อมเอง"],
)

# -- engineers -----------------------------------------------------------------------------------------

CLAIM_STRONG = build(
    [r"接单", r"抢单", r"领单", r"认领", r"接这单", r"这单我", r"我接了", r"我来接", r"我接", r"派给我", r"交给我",
     r"我负责", r"我来处理", r"我来跟"],
    [r"claim", r"claimed", r"claiming", r"i'?ll take", r"i take", r"i can take", r"i'?ll do it", r"i can do it",
     r"taking (?:it|this|ticket|job)", r"take (?:it|this|ticket|job)", r"assign (?:it )?to me", r"i'?ll handle",
     r"i'?ll go", r"i can go", r"i'?m on it", r"i'?ll pick (?:it|this) up", r"picking (?:it|this) up",
     r"je prends", r"je m'en occupe", r"je m'occupe", r"je m'en charge", r"j'y vais"],
    [r"รับงาน", r"ขอรับงาน", r"รับเคส", r"ผมรับ", r"ฉันรับ", r"รับเอง", r"ผมไปเอง"],
)
# Only next to a job number and not in a step report: "抢 #12", "8001 +1", "5120 交给我".
CLAIM_WEAK = build(
    [r"抢", r"去(?:吧)?\s*$", r"\+1", r"举手", r"🙋", r"✋", r"我可以", r"(?:派|指派|分配|转|交)给", r"我来", r"我去",
     r"我上", r"给我", r"我能(?:去|接)", r"(?:^|\s)接(?:了|吧)?(?:$|\s)"],
    [r"assign(?:ed)? to", r"mine", r"me", r"take", r"taking", r"grab", r"grabbing", r"got it"],
    [r"รับ"],
)

COMPLETE = build(
    [r"(?<!没)(?<!未)(?<!不)(?:完工|完成|修好了|修好|[修弄做干搞整处理]完|完事|已修复|修复了|修复完|搞定|处理完|处理好了|"
     r"弄好了|整好了|已解决|解决了|结单|关单|收工|已恢复|恢复正常|可以用了|能用了|好了|完毕)"],
    [r"done", r"completed", r"complete", r"fixed", r"finished", r"resolved", r"repaired", r"job done", r"all good",
     r"working again", r"works now", r"termine", r"terminee", r"repare", r"reparee", r"fini", r"finie", r"resolu",
     r"resolue", r"ca marche"],
    [r"เสร็จ", r"ซ่อมเสร็จ", r"เรียบร้อย", r"ใช้ได้แล้ว"],
)
# Only next to a job number: "8001 ok", "8001 完 1.5h".
COMPLETE_WEAK = build([r"(?<![\u4e00-\u9fff])完(?![全整美成])", r"搞掂", r"✅", r"✔", r"好(?=\s|$)"],
                      [r"ok", r"okay", r"ok了"])
# Numbers of a completion report; with a job number they make it one.
LABOR_WORD = build([r"工时", r"人工", r"配件费", r"材料费", r"(?:配件|材料)\s*[:：]?\s*\d", r"อะไหล่\s*\d"],
                   [r"labou?r", r"parts?\s*[:=]?\s*[$€]?\d"], [r"ค่าแรง"])

# -- status questions --------------------------------------------------------------------------------

STATUS_QUERY = build(
    [r"进度", r"进展", r"最新情况", r"状态", r"怎么样了", r"如何了", r"咋样了", r"到哪了", r"到哪儿", r"到哪(?:一)?步",
     r"哪一步", r"在哪了", r"在哪儿了", r"什么时候", r"啥时候", r"几点", r"多久", r"多长时间", r"还要等",
     r"有人(?:接|管|来|处理|跟进)", r"有没有人", r"没人(?:接|来|管|处理)", r"还没(?:人)?(?:来|到|修|接|处理|好)",
     r"怎么还(?:没|不)", r"(?:修|处理|弄)(?:得|的)?(?:怎么样|如何|好了吗|好了没|好没|完了吗|完没)", r"好了(?:吗|没)",
     r"到了(?:吗|没)", r"来了(?:吗|没)", r"出发了(?:吗|没)", r"都(?:下午|晚上|中午|傍晚|\d+点|几点)了",
     r"说好(?:的)?(?:今天|上午|下午|几点)", r"被忘", r"忘了(?:吗|吧)", r"(?:派单|派人|安排|接单|受理|处理)了(?:吗|没|么)",
     r"(?:能|会|可以|还)?(?:过)?来(?:吗|么|不来)", r"来不来", r"查(?:一下|下|询)", r"跟进", r"催", r"结果", r"什么情况",
     r"啥情况", r"怎么回事"],
    [r"status", r"progress", r"update on", r"any update", r"any news", r"where is", r"where's", r"wheres",
     r"when will", r"when is", r"when are", r"when can", r"how long", r"eta", r"still waiting", r"nobody came",
     r"no one came", r"what'?s happening", r"what'?s going on", r"what is going on", r"follow up", r"follow-up",
     r"picked up", r"anyone (?:assigned|coming|on it)", r"technician assigned", r"someone assigned",
     r"who is (?:coming|on it)",
     r"(?:is|are) (?:someone|anyone|somebody|you|they|he|she|the technician|the engineer) (?:still )?coming",
     r"(?:someone|anyone|technician|engineer|tech) coming", r"(?:been )?assigned(?: yet)?\s*\?", r"been assigned",
     r"quand", r"ou en est", r"statut", r"avancement", r"des nouvelles", r"toujours pas", r"personne n'est venu",
     r"combien de temps", r"(?:va|vont) venir", r"viendra", r"viendront"],
    [r"อัปเดต", r"อัพเดต", r"อัพเดท", r"เมื่อไหร่", r"เมื่อไร", r"ถึงไหน", r"สถานะ", r"ความคืบหน้า", r"หรือยัง",
     r"ยังไม่มา", r"กี่โมง", r"นานไหม", r"วันไหน", r"ตอนไหน", r"กี่วัน", r"จะมา[^\s]{0,15}(?:ไหม|มั้ย|หรือเปล่า)",
     r"มาไหม"],
)
# Status words that always mean "tell me about an existing job", even next to a symptom.
STATUS_STRONG = build(
    [r"进度", r"进展", r"最新情况", r"状态", r"怎么样了", r"如何了", r"修(?:得|的)?怎么样", r"(?:修|处理)好了(?:吗|没)",
     r"有人接", r"没人接", r"还没人", r"还没(?:来|到)", r"跟进", r"催一下"],
    [r"status", r"progress", r"any update", r"update on", r"still waiting", r"nobody came", r"no one came",
     r"ou en est", r"statut", r"avancement"],
    [r"สถานะ", r"ความคืบหน้า", r"ยังไม่มา"],
)
# The message is about something already reported ("昨天报的", "my ticket").
PAST_REF = build(
    [r"(?:之前|昨天|前天|刚才|刚刚|早上|上午|下午|中午|晚上|上次|已经|早就|前几天|上周|那天|今天|这周|周[一二三四五六日])"
     r"[^,.!?，。！？]{0,4}(?:报|提交|反映|提的|说的|下的)",
     r"报(?:的|过|了的)", r"我的(?:工单|单子|报修|单)", r"那个单", r"这个单"],
    [r"my (?:ticket|request|job|report|repair)", r"reported (?:yesterday|earlier|this morning|last)",
     r"ma demande", r"mon ticket", r"ma reparation", r"signale hier"],
    [r"ที่แจ้งไว้", r"ที่แจ้ง"],
)

QUESTION = build(
    [r"[?？]", r"吗", r"么", r"呢(?:\s|$)", r"没(?:有)?(?:\s*[?？.]*\s*$)", r"了没", r"什么时候", r"啥时候", r"几点", r"多久",
     r"是不是", r"有没有"],
    [r"when", r"where", r"what", r"how", r"is it", r"did", r"has", r"have you", r"quand", r"ou", r"est-ce"],
    [r"ไหม", r"หรือยัง", r"เมื่อไหร่", r"มั้ย"],
)

# -- small talk ----------------------------------------------------------------------------------------

THANKS = build([r"谢谢", r"感谢", r"多谢", r"辛苦"], [r"thanks", r"thank you", r"thx", r"merci"], [r"ขอบคุณ"])
GREETING = build(
    [r"^\W*(?:谢谢|感谢|多谢|辛苦了|辛苦|你好|您好|早上好|早|晚上好|在吗|在不在|哈+|嗯+|好的|收到)"],
    [r"^\W*(?:ok|okay|thanks?|thank you|thx|hi|hello|hey|good morning|merci|bonjour|salut)"],
    [r"^\W*(?:สวัสดี|ขอบคุณ)"],
)

# -- who is talking ------------------------------------------------------------------------------------

REPORT_WORD = build([r"报修", r"报障"], [], [r"แจ้งซ่อม"])
FIRST_PERSON = build([r"我", r"咱", r"本人", r"(?<![a-z])j'"], [r"i", r"i'm", r"im", r"i am", r"we", r"we're", r"je", r"nous"],
                     [r"ผม", r"ฉัน", r"เรา", r"หนู"])
ETA_HINT = build([r"\d+\s*(?:分钟|分|min|minutes?|小时|h)", r"半小时"], [r"eta"])
NEGATED_STEP = build([r"(?:别|不要|不能|不许|不准|不会|千万别)\s*(?:再)?(?:迟到|晚|晚到|出发|到)"],
                     [r"don'?t be late", r"ne soyez pas en retard"])
