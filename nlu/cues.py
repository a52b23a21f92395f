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
        # "怎么找不到了" asks why something is missing, not how to find it
        r"(?:怎么|怎样|如何|咋)(?:样)?(?:才能|去|来)?(?:联系|找(?!不)|报|查(?!不)|用(?!不)|设置)",
        # "怎么给师傅评价", but not "怎么还没人接单" (a complaint about an existing job).
        r"(?:怎么|怎样|如何|咋)(?:样)?[^,.!?，。！？还没不]{0,4}?(?:报修|报障|评价|打分|取消|接单|抢单|结算|查看|查询|"
        r"提交|申请|使用|操作|下单|提单|看|上报|汇报|反馈|填写|登记|完工|退单|改约|催单|撤回)",
        r"(?:结算|报修|工单|评价|评分|派单|接单)(?:要|该|应该|需要)?(?:怎么|如何|咋)(?:看|查|弄|操作|做|用|提交|申请|算|填|打|写|给|发|交|提)",
        r"(?:需要|要|得)(?:提供|准备|填写?|上传|拍|带)(?:什么|哪些|啥)", r"(?:哪些|什么|啥)(?:步骤|流程|手续|规定)",
        r"(?:在|去)?哪(?:里|儿)?(?:可以|能)?(?:提交|操作|填|评价|打分|看|查|查看|设置|报修|取消|结算)",
        r"(?:报修|评价|结算|取消)(?:的)?(?:入口|在哪)", r"(?:哪些|什么)(?:信息|资料|材料)",
        r"(?:报修|维修)(?:后|以后|之后)?(?:一般|通常)?(?:要|需要|得)?(?:多久|多长时间|几天|几个小时)",
        # "工单取消了会扣钱吗", "可以语音报修吗": questions about the rules.
        r"(?:取消|报修|维修|评价)[^,.!?，。！？]{0,6}(?:扣钱|收费|要钱|花钱|扣分|罚款)",
        r"(?:可以|能|能不能|可不可以)[^,.!?，。！？]{0,6}报修(?:吗|么|[?？])",
        # "报修的时候要拍照吗": a question about doing a report, not a report.
        r"(?:报修|维修)(?:的时候|时|之前|前|以后|之后|后)[^,.!?，。！？]{0,8}(?:吗|么|[?？]|要不要|需不需要)",
        r"(?:报修|维修|接单|抢单|结算|取消|评价|派单|下单)(?:的)?(?:流程|步骤|方法|方式|规则|说明|指南|规定|制度|入口|电话)",
        r"流程是(?:什么|啥|怎样|怎么)", r"(?:是)?怎么(?:个|样的?)(?:流程|步骤|规则|程序)", r"(?:是|有)(?:什么|啥)(?:流程|规则)", r"找谁(?:报修|修)?", r"(?:报修|维修)(?:电话|热线)", r"打什么电话",
        r"(?:能|可以)(?:帮我)?做(?:些)?什么", r"(?:会|能)(?:干|做)(?:嘛|啥|些啥|些什么|什么)(?=$|[?？!！\s])", r"权限", r"会(?:有|不会有)?(?:消息|通知)?提醒(?:吗|么)", r"怎么知道",
        r"支持\s*(?:english|french|thai|繁体|简体)", r"你(?:都|还)?(?:会|能)(?:干|做)?(?:些|点)?(?:什么|啥|嘛)", r"有(?:什么|啥)用",
        r"有(?:哪些|什么)功能", r"使用说明", r"使用手册", r"操作指南",
        r"支持(?:英文|英语|中文|泰语|泰文|法语|法文|粤语|语音|图片|照片|视频)",
        r"(?:识|会|能)(?:不识|唔识|不会|不能)?(?:讲|说|听|聽|睇|看|读|写|打)(?:懂)?(?:广东话|粤语|英文|英语|泰文|泰语|法文|法语|繁体)",
        r"(?:听|看|读)(?:得|不)懂(?:广东话|粤语|英文|英语|泰文|泰语|法文|法语|繁体)", r"(?:支持|识讲|会说|能说)(?:哪些|什么|几种)(?:语言|language)",
        # service hours: "晚上十点以后报修还有人管吗"
        r"(?:晚上|夜里|半夜|凌晨|周末|节假日|点(?:以后|之后))[^,.!?，。！？]{0,8}(?:报修|维修)[^,.!?，。！？]{0,6}(?:有人|管|接)",
        r"(?:晚上|夜里|半夜|凌晨|周末|节假日|点(?:以后|之后))[^!?！？]{0,16}(?:还有人|有没有人|有人)(?:管|接|处理|来)(?:吗|么|不|没)",
        r"(?:7\s*[×x*]\s*24|24\s*小时|全天)[^,.!?，。！？]{0,6}(?:都)?有(?:人|师傅)",
    ],
    [
        r"how (?:do|can|should|would) (?:i|we|you) (?:report|submit|open|file|create|cancel|rate|use|claim|log|"
        r"raise|request|check|see|view|track|find)",
        r"how to (?:report|use|submit|open|file|cancel|rate|claim|request|log|raise)", r"what can you do",
        # "how do engineers mark that they've arrived on site?"
        r"how (?:do|can|should|would|does) (?:the )?(?:engineers?|techs?|technicians?|staff|the team|a store|stores|managers?) (?:mark|report|say|tell|show|record|confirm|close|log|update|claim|rate)",
        r"what do you do", r"how does (?:this|it|the)(?: \w+)? work",
        r"can (?:i|we) (?:attach|send|add|upload|include) (?:a |some )?(?:photos?|pictures?|pics?|images?|videos?)",
        r"vous intervenez", r"(?:intervenez|passez|travaillez|venez)-vous",
        # "how does rating work", "how do refunds work": any short subject.
        r"how (?:does|do) (?:[a-z']+ ){1,3}work",
        # "can I report stuff by voice?", "what info do you need for a repair request?"
        r"can (?:i|we) (?:report|submit|send|log|raise|file|open|rate|cancel|use)",
        r"what (?:info|information|details|do you need|do i need|should i (?:send|include|provide))",
        r"quelles? (?:informations|infos|details)", r"how (?:do|does) (?:this|it|you) work",
        r"what can (?:this|the|you)(?: \w+)? do", r"what (?:does|do) (?:this|the|you)(?: \w+)? do",
        r"what(?:'s| is) the (?:process|procedure)", r"user guide", r"instructions",
        # what the desk covers: "what kinds of repairs does this desk cover?"
        r"what (?:kinds?|sorts?|types?) of (?:repairs?|jobs?|work|faults?|equipment) (?:do|does|can|will)",
        r"(?:does|do) (?:this|the) (?:desk|service|bot|helpdesk) (?:cover|fix|handle|do)",
        # "do you fix ovens too?", "do you guys also handle the golf buggies or only the buildings?"
        r"do (?:you|you guys|y'all|they) (?:also |even )?(?:handle|fix|cover|repair|service|look after|take care of) [^?]{1,40}(?:too|as well|or (?:only|just) [^?]{1,30})\s*\?",
        r"what (?:kind of |sort of |type of )?(?:stuff|things|jobs|work|repairs) (?:does|do|can|will) (?:jing|you|the bot|this bot|the desk) (?:handle|do|cover|fix|take)",
        r"comment (?:signaler|faire|declarer|annuler|utiliser|ca marche|demander|ouvrir)",
        r"que (?:peux|sais)-tu faire", r"quelle est la procedure", r"mode d'emploi",
        r"which languages?", r"what languages?", r"permissions?", r"access rights", r"droits d'acces",
        # service hours: "is the desk 24/7?", "do you come on Sundays?"
        r"(?:is|are) (?:the |this )?(?:desk|service|support|bot|helpdesk|you|it) (?:open |available |staffed )?(?:24/7|24 ?h|round the clock|"
        r"(?:on|at|over) (?:weekends?|sundays?|saturdays?|holidays?|night)|only (?:in )?office hours)",
        r"24/7 or", r"do (?:you|you guys|y'all|they) (?:cover|work|come (?:out )?(?:on|at)|do) (?:on )?(?:weekends?|sundays?|saturdays?|nights?|holidays?)", r"(?:only|just) (?:during )?(?:office|business|working) hours\s*\?", r"quelles? langues?", r"joindre (?:des|une) (?:photos?|images?)",
        r"(?:peut[- ]on|on peut) (?:joindre|envoyer) (?:des|une)",
    ],
    [r"ใช้(?:งาน)?[^\s]{0,8}(?:ยังไง|อย่างไร)", r"วิธี", r"ทำอย่างไร", r"ทำยังไง", r"เปิด(?:ให้)?บริการ", r"เวลา(?:ทำการ|ให้บริการ)",
     r"แจ้งซ่อมยังไง", r"แจ้งซ่อมอย่างไร", r"ใช้ยังไง", r"ต้องแจ้ง(?:ผ่าน|ที่|กับ)", r"โทรหาใคร", r"แจ้ง(?:ซ่อม)?ได้ไหม", r"กี่โมงถึงกี่โมง"],
)

# Asking for the menu; loses to a real report ("help! water everywhere").
HELP_GENERIC = build([r"帮助", r"菜单", r"功能", r"说明书", r"指令", r"命令", r"怎么用"],
                     [r"help", r"menu", r"commands?", r"aide", r"usage", r"what (?:can|do) you do", r"what do i (?:put|write|type) (?:here|there|in)", r"(?:ce que|qu'est-ce que) (?:tu sais|tu peux|vous savez|vous pouvez) faire"], [r"ช่วยเหลือ", r"เมนู", r"คู่มือ"])

# -- managers ----------------------------------------------------------------------------------------

SETTLEMENT = build(
    [r"结算", r"汇总", r"流水", r"对账", r"(?:的|看|查|算|对)账", r"营收", r"营业额", r"营业(?:收入|流水|数据)", r"收入", r"账单", r"报表",
     r"结账", r"统计", r"总账", r"产值", r"月结", r"账目", r"出账", r"赚了多少", r"挣了多少", r"收了多少", r"结了多少"],
    [r"settlements?", r"summary", r"summaries", r"revenue", r"statement", r"earnings", r"payouts?", r"pa(?:y|id) out",
     r"billing",
     r"invoices? summary", r"turnover", r"income", r"how much (?:did|have|do) (?:we|i|they) (?:make|made|earn|earned|bill|billed)",
     r"bilan", r"releve", r"recapitulatif", r"recap", r"chiffre d'affaires", r"facturation"],
    [r"สรุปยอด", r"ยอดเงิน", r"สรุปรายได้", r"รายได้", r"สรุปบัญชี", r"ยอดขาย"],
)

# An amount or count question. With a period named it asks for the settlement summary ("这礼拜花
# 了多少钱", "YTD spend", "ยอดเดือนที่แล้วเท่าไหร่"); intents.py checks the period.
AMOUNT_QUESTION = build(
    [r"多少钱", r"花了多少", r"花(?:了|费|销)(?!\s*(?:\d|[一二两三四五六七八九十几百千]+\s*(?:块|元|蚊)))", r"费用", r"开支", r"支出", r"开销", r"成本", r"金额", r"总额", r"合计",
     r"多少(?:个)?(?:单|工单)", r"几(?:个)?单", r"单量", r"数据", r"数字", r"至今", r"到目前为止", r"截(?:至|止)目前"],
    [r"spend", r"spent(?! (?:about |around |like )?[$€£¥฿]?\d)", r"spending", r"costs?", r"expenses?", r"how much", r"how many (?:tickets|jobs|repairs|calls)",
     r"numbers", r"figures", r"totals?", r"combien(?! de temps)", r"depenses?", r"couts?", r"montants?", r"chiffres",
     # figures to date: "Q4 so far?", "jusqu'ici"
     r"so far", r"to date", r"jusqu'(?:ici|a present|a maintenant)"],
    [r"ค่าใช้จ่าย", r"ใช้ไป", r"เท่าไหร่", r"เท่าไร", r"ยอด", r"สรุป", r"ค่าซ่อม", r"ถึงตอนนี้"],
)
# Staff's own expenses ("报销", "expense claims for November"): payroll chatter, not the desk's money.
EXPENSE_CLAIM = build([r"报销", r"差旅费?"], [r"expense claims?", r"reimburse\w*", r"notes? de frais"],
                      [r"เบิกค่า", r"เบิกเงิน"])
# Scores that are not a job's rating: a mystery shopper's visit, an audit.
NOT_A_RATING = build([r"神秘(?:顾客|访客)", r"卫生检查", r"考核", r"评分出来"], [r"mystery (?:shopper|guest)s?", r"audit", r"inspection score"],
                     [r"ผลตรวจ", r"คะแนนตรวจ", r"ตรวจมาตรฐาน"])
# A question about prices or fees ("修空调多少钱", "上门费怎么收", "combien ça coûte"): help about the
# service, unless a period makes it a spending question.
PRICE_QUESTION = build(
    [r"(?:修|维修|上门|检测|检修|换|安装|清洗|保养|服务|来一趟|出车)[^,.!?，。！？]{0,6}多少钱", r"(?:怎么|如何|咋)(?:收费|收钱|收|算钱|算|计费)", r"收费(?:标准|吗|么|怎么|多少|贵)", r"价格|价目|报价",
     r"(?:上门|维修|检测|服务|人工|出车|加急|夜间)费(?:用)?(?:怎么|多少|是多少|贵|吗|么|[?？])", r"(?:要|收|加|另|另外|额外)(?:收)?(?:钱|费)(?:吗|么)",
     r"免费(?:吗|么)", r"贵(?:吗|么|不贵)",
     # "你哋收費點計㗎 按鐘數定按次": by the hour or by the visit
     r"(?:收费|收钱|计费)(?:点|怎样|怎么)计", r"按(?:钟|小时|次)[^,.!?，。！？]{0,4}(?:定|还是|或者?)按"],
    [r"how much (?:does|is|do|will|would|for) (?:it cost to |a |an |the )?(?:repair|fix|call-?out|visit|service|"
     r"technician|engineer|inspection)", r"what does (?:a |the )?(?:repair|call-?out|visit|service) cost",
     r"(?:repair|service|call-?out|visit) (?:prices?|fees?|charges?|rates?)", r"pricing", r"fees?", r"surcharges?",
     r"(?:extra|additional) (?:fee|charge|cost)s?",
     r"combien (?:ca |cela )?coute(?:nt)? (?:la |une |un |le )?(?:reparation|intervention|deplacement|depannage|visite)", r"tarifs?", r"payante?s?",
     r"gratuite?s?"],
    [r"ค่าบริการ", r"ค่าซ่อม", r"ค่าแรง(?:ช่าง)?(?:เท่าไหร่|เท่าไร)", r"ซ่อม[^\s]{0,8}ราคา"],
)

# -- customers after the job -------------------------------------------------------------------------

# A mark given in English or French words ("I'd give 8752 a solid 4", "13447 gets a 2", "notée 1"):
# one phrase each, so the cue and the value read (nlu/entities.py) never disagree. "gets a 2 hours"
# is time, not a mark.
# "I'd give Lucas a 4": an engineer's name (blanked as 物… in the cues) between the verb and the mark.
MARK_GIVE = (r"(?<![a-z])giv(?:e|es|ing) (?:#?\d{2,7} |it |them |him |her |(?:this|that) (?:one |job |visit |repair |fix )?|the (?:job|visit|repair|fix|service) |"
             r"(?!me |us |you )(?:[a-z]+|物+) )?"
             r"an? (?:solid |strong |fair |generous |weak |low |high |well-deserved )?([1-5]|one|two|three|four|five)(?!\d|\.\d|[a-z])"
             r"(?!\s*(?:hours?|hrs?|h|mins?|minutes?|days?|weeks?|years?|months?)(?![a-z]))")
MARK_GETS = r"(?<![a-z])gets? an? ([1-5])(?!\d|\.\d|\s*(?:hours?|h|mins?|minutes?|days?|weeks?|years?)(?![a-z]))"
MARK_NOTEE = r"(?<![a-z])notee? ([1-5])(?![\d.])"
MARK_EASY = r"(?<![a-z])(?:an? )?easy ([1-5])(?![\d.]|\s*(?:min|hour|h\b))"

RATING = build(
    [r"[⭐★🌟]", r"评分", r"打分", r"好评(?!率)", r"差评(?!率)", r"中评", r"评价", r"满分", r"满意度",
     r"(?<![\d.])[1-5一二两三四五]\s*(?:颗|个|粒)?\s*星(?!期|级)", r"(?<![\d.])[1-5]\s*/\s*5(?!\d)",
     r"(?<![\d.])[1-5一二两三四五]\s*分(?!钟|之|钱|析|配|享|类|布|开|别|期|店|队|组|公司|部)",
     r"(?<![\d.])[1-5]\s*(?:out of|sur)\s*5(?!\d)",
     # "14403 评个3": a mark given in two words
     r"评(?:个|了)\s*[1-5一二两三四五](?![\d.])", r"打(?:个|了)\s*[1-5一二两三四五]\s*(?:分|星)(?!钟)",
     # an opinion of the job without a number: "这次维修不太满意"
     r"(?:不太|不|很|非常|挺|比较|特别)满意"],
    [r"rate", r"rating", r"ratings", r"give [1-5](?= ?(?:lah|la|leh|lor|ok|stars?|/ ?5)(?![a-z])|\s*[,.!]|$)", MARK_GETS, MARK_NOTEE, MARK_GIVE, MARK_EASY, r"out of (?:five|5)", r"sur (?:cinq|5)", r"stars?", r"review", r"feedback", r"(?<!c'est )(?<!bien )(?<!kindly )(?<!please )(?<!pls )(?<!plz )note(?! (?:de |d'|du |from |to |that |i |we |the ))", r"etoiles?", r"evaluation", r"avis",
     r"(?:very |really |not |so )?(?:satisfied|dissatisfied|unsatisfied)", r"(?:pas |tres |vraiment )?(?:satisfaite?|mecontente?)"],
    [r"ดาว", r"ให้คะแนน", r"คะแนน", r"รีวิว", r"(?<![a-z])hai\s*[1-5](?:\s*(?:dao|kha|ka|krub|krab|khrap|na))(?![a-z])", r"(?:ไม่)?(?:ค่อย)?พอใจ", r"ให้\s*[1-5]\s*(?:ไปเลย|เลย|เต็ม)"],
)

CANCEL = build(
    # 撤回 alone is taking a chat message back ("刚才那个视频谁发的？撤回了")
    [r"取消", r"撤销", r"撤单", r"撤回(?=[^,.!?，。！？]{0,6}(?:报修|单|申请|请求))", r"(?:报修|单|申请)[^,.!?，。！？]{0,4}撤回", r"撤了", r"撤掉", r"不用修了", r"不用来了", r"不需要了", r"不修了", r"别(?:修|来)了",
     r"不要来了", r"不用过来", r"作废", r"算了", r"自己(?:弄|搞|处理|修)好", r"不用派", r"无需维修", r"不需要维修",
     r"不用(?:修|来|过来|派人)?(?:了|啦)", r"\d\s*撤回(?![^,.!?，。！？]{0,3}(?:消息|信息|图片|视频|照片))",
     # "19012 帮我关掉，商场统一找了电梯公司来弄"
     r"\d\s*(?:帮我|帮忙|麻烦)?关(?:掉|了)(?=\s*(?:吧|啊|哈)?\s*(?:[,，.。!！;；]|$))", r"(?:别|不要|不用)派", r"误报", r"报错单", r"报重了", r"重复报",
     # calling it off politely: "不麻烦师傅了"
     r"不(?:用)?麻烦(?:师傅|你们|您|了)", r"单(?:子)?(?:就)?不要了", r"(?<![\d.])\d{3,8}\s*(?:就)?(?:不要了|不用了|不修了)", r"不(?:用|需要)(?:再)?处理了",
     # "这单帮我关掉吧 物业说他们负责修": someone else fixes it
     r"(?:这单|那单|单子|工单|这个单|那个单)[^,.!?，。！？]{0,4}关(?:掉|了吧)", r"把\s*#?\d{2,8}\s*(?:号)?(?:单|工单)?关(?:掉|了)", r"(?:物业|商场|房东)(?:说)?(?:他们)?(?:会)?(?:负责|来)修", r"(?:抱歉|不好意思|sorry)[^,.!?，。！？]{0,3}报错了", r"(?<!消息)(?<!信息)(?<!图片)(?<!视频)撤回\s*[.!。！~]*$", r"(?:这个|那个)(?:就)?不要了"],
    [r"cancel", r"cancelled", r"canceled", r"cancelling", r"call(?:ing|ed)? off", r"nevermind", r"never mind", r"no longer needed",
     r"no need (?:to come|for (?:a |the )?(?:technician|repair|engineer|visit)|for (?:anyone|anybody|someone|somebody|a tech\w*) to (?:come|go))",
     r"no need to send (?:anyone|anybody|someone|somebody|a tech\w*|an engineer|the engineer)", r"not needed (?:any ?more)",
     r"(?:don'?t|do not) need (?:the |a )?(?:technician|repair|engineer|visit)",
     r"close (?:the |my |this )?(?:ticket|request)", r"(?:won'?t|don'?t|do not|will not|no longer) need (?:#|ticket |job )?\d+(?: any ?more)?", r"sorted it", r"ourselves", r"disregard", r"withdraw",
     r"ignore (?:[a-z]+ ){0,2}(?:ticket|request|report|message)", r"scratch that", r"scratch #?\d", r"scrap (?:the|this|that|my|#?\d)",
     r"(?:pas|plus) la peine",
     r"annuler", r"annule", r"annulez", r"nous-memes",
     r"(?:plus|pas) besoin (?:de (?:technicien|reparation|venir|passer|l'intervention))",
     # "plus besoin, c'est reparti": no complement at all
     r"(?:plus|pas) besoin\s*(?:$|[,.!;])", r"scratch (?:my|the|that|our) (?:last )?(?:\w+ )?(?:report|ticket|request|message|job)"],
    [r"ยกเลิก", r"ไม่ต้อง(?:มา|ซ่อม|ส่งช่าง)", r"ซ่อมเอง", r"(?:ที่)?แจ้ง(?:ซ่อม)?[^\s]{0,10}ไม่ต้องแล้ว"],
)

# Asking whether a job was cancelled asks after it: "15183是不是被取消了？", "was 8812 cancelled?"
CANCEL_ASKED = build([r"(?:是不是|是否|有没有)(?:被)?(?:取消|撤)", r"(?:被)?(?:取消|撤)(?:了|掉了)?(?:吗|么|没有?)(?![\u4e00-\u9fff])"],
                     [r"(?:was|is|has|did) (?:it |the job |ticket |job |#?\d+ )?(?:been |get )?(?:cancell?ed|cancel)\?",
                      r"(?:a-t-il|a-t-elle) ete annulee?", r"(?:est|a ete) annulee? \?"],
                     [r"ยกเลิก(?:แล้ว)?(?:หรือยัง|ไหม|หรือเปล่า)"])

# -- engineers -----------------------------------------------------------------------------------------

CLAIM_STRONG = build(
    [r"(?<!待)(?<!未)(?<!没人)接单", r"抢单", r"领单", r"认领", r"接这单", r"这单我", r"我(?:这边|这里|们)?(?:先)?接了", r"算我的", r"(?:那|这)单我要了", r"我要了(?=\s*#?\s*\d)", r"我来接", r"我接", r"派给我", r"交给我",
     r"我负责", r"我来处理", r"我来跟",
     # "1218 由我跟进": the job put in my hands
     r"由我(?:来)?(?:跟进|跟|负责|处理|接|去)", r"我(?:来)?跟进", r"归我",
     # for a colleague: "#8412 帮王芳接了"
     r"帮[^,.!?，。！？\s]{1,4}接(?:了|一下|下)?", r"我(?:这边|这里)?可以接",
     # a dispatcher's "13444 安排王军上"
     r"安排[^,.!?，。！？\s]{1,4}(?:上|去|接|跟)(?:吧|一下)?(?=$|[,.!?，。！？\s])",
     # "@张伟 14517 … 你跑一趟", "14991 我 take 了"
     r"你(?:跑|去|过去)(?:一趟|一下|看看|看下)", r"我\s*take\s*(?:了|啦)?",
     # "还没人接的话我先顶上": stepping in
     r"[我俺](?:先|来)?顶(?:上|一下)"],
    [r"claim", r"claimed", r"claiming", r"rab (?:job|ngan|kase|case|nguan)", r"i'?ll take", r"i take", r"i can take", r"i'?ll do it", r"i can do it",
     r"taking (?:it|this|ticket|job)", r"take (?:it|this|ticket|job)", r"assign (?:it )?to me", r"i'?ll handle",
     r"i'?ll go", r"i can go", r"i'?m on it", r"i'?ll pick (?:it|this) up", r"picking (?:it|this) up",
     r"put my name (?:on|down)", r"(?:i )?can grab",
     # a dispatcher handing it over: "put Wang Fang on 9384", "give 9736 to Somchai", "mettez Lucas sur la 9670"
     # (a configured engineer's name reaches the cues blanked as 物…, entities.mask_terms)
     r"put (?:[a-z]+(?: [a-z]+)?|物+) on (?:#|job |ticket )?\d", r"give (?:#|job |ticket )?\d+ to (?:[a-z]|物)", r"mettez (?:[a-z]+|物+) sur",
     r"(?:can|could) go to (?:[a-z]|物)", r"assign(?:ing|ed)? (?:#|job |ticket )?\d+ to (?:[a-z]|物)",
     r"(?:attribue[rz]?|affecte[rz]?|confie[rz]?) (?:le |la |l')?(?:ticket |intervention |job )?(?:#|n°\s*)?\d+ a (?:[a-z]|物)",
     # asked to take it: "can you grab 11460?", "tu peux prendre le 11803 ?"
     r"(?:can|could|would) you (?:grab|take|do|cover|handle|pick up) (?:#|job |ticket |the )?\d",
     r"je (?:recupere|reprends) (?:la |le |l')?(?:intervention |ticket |job )?(?:#|n°)?\d",
     r"(?:tu|vous) (?:peux|pourrais|pouvez|pourriez) (?:prendre|faire|te charger|vous charger|t'occuper|vous occuper) (?:du |de la |le |la |l')?"
     r"(?:intervention |ticket |job |demande )?(?:#|n°)?\d",
     r"je prends(?! (?:les|des|un|une|du|mon|ma|mes|ton|ta|tes|notre|nos|vos|votre) )", r"je m'en occupe", r"je m'occupe", r"je m'en charge", r"j'y vais",
     r"je (?:peux|veux bien|vais) (?:le |la |l')?(?:prendre|faire|y aller)", r"qui (?:la |le |l')?prend"],
    # a dispatcher's "ฝากงาน…" (I leave the job with you) and "ให้พี่สมชายไปดู" (let Somchai go and look)
    [r"(?<!ใคร)(?<!คน)(?<!ไม่)รับงาน", r"ขอรับงาน", r"(?:ผม|ฉัน|หนู|พี่|เดี๋ยว)(?:จะ)?จัดการ(?:ให้)?เอง", r"รับเคส", r"ผมรับ", r"ฉันรับ", r"รับเอง", r"ผมไปเอง", r"ฝากงาน",
     r"ให้(?:พี่|น้อง|คุณ|ช่าง)?[^\s]{1,12}ไป(?:ดู|ซ่อม|ทำ|เช็ค|จัดการ)"],
)
# Only next to a job number and not in a step report: "抢 #12", "8001 +1", "5120 交给我".
CLAIM_WEAK = build(
    [r"抢", r"去(?:吧)?\s*$", r"\+1", r"举手", r"🙋", r"✋", r"我可以", r"(?:派|指派|分配|转|交)给(?!谁)",
     # any first person: 我, dialect 俺, 咱
     r"[我俺咱](?:来|去|上)", r"给我", r"[我俺咱]能(?:去|接)", r"(?:可以|能)接(?!着)", r"(?:^|\s)接(?:了|吧)?(?:$|\s)", r"接一下"],
    [r"assign(?:ed)? to", r"mine",
     # not French "me": "tu peux me dire l'état de la demande 7294"
     r"me(?! (?:dire|dis|donner|donnes?|montrer|montres?|envoyer|envoies?|faire|rappeler|confirmer|preciser|indiquer|expliquer|aider|tenir))", r"take", r"taking", r"grab", r"grabbing", r"got it", r"i(?:'ve| have)? got (?:this|it)", r"i(?:'ve| have)? got #?\d", r"dibs", r"put me down for", r"sign me up for", r"count me in for"],
    # รับ (take), but not inside the polite particle ครับ
    [r"(?<!ค)(?<!ใคร)รับ"],
)

COMPLETE = build(
    [r"(?<!没)(?<!未)(?<!不)(?:完工|完成|修好了|修好|[修弄做干搞整处理]完|完事|已修复|修复了|修复完|搞定|处理完|处理好了|"
     r"弄好了|整好了|已解决|解决了|结单|关单|收工|已恢复|恢复正常|可以用了|能用了|好了|完毕)",
     # any verb + 好了 ("搞好了", "换好了", "装好了")
     r"(?<!没)(?<!未)(?<!不)[修弄搞整换装调接通清]好了"],
    [r"done", r"completed", r"complete", r"fixed", r"finished", r"resolved", r"repaired", r"job done", r"all good",
     r"working again", r"works now", r"termine", r"terminee", r"repare", r"reparee", r"fini", r"finie", r"resolu",
     r"resolue", r"ca marche", r"(?<!road )(?<!roads )(?<!street )(?<!bridge )closed(?! (?:the |a |off |down )?(?:roads?|streets?|lanes?|bridge|highway|motorway|ramp|exit|tunnel|route)(?![a-z]))", r"closing(?! (?:the |a )?(?:roads?|streets?|lanes?|bridge))", r"replaced", r"swapped", r"unblocked", r"wrapped up", r"sorted"],
    [r"เสร็จ", r"ซ่อมเสร็จ", r"เรียบร้อย", r"ใช้ได้แล้ว"],
)
# Completion words only the engineer on the job uses ("完工了，就是滤网堵了"); a customer says 好了.
ENGINEER_DONE = build([r"(?<!没)(?<!未)(?<!不)(?:完工|收工|结单|关单)(?!吗|没|么|了吗|了没)"])
# The shop closing early is no engineer's completion: "聽日公眾假期，舖頭早兩個鐘收工".
EARLY_CLOSE = build([r"早[^,.!?，。！？]{0,5}收工", r"提前(?:收工|关门|打烊)", r"早(?:点)?(?:关门|打烊)"],
                    [r"clos(?:e|ing) early", r"ferme(?:r|ture)? (?:plus )?tot"], [r"ปิดร้านเร็ว"])
# Only next to a job number: "8001 ok", "8001 完 1.5h".
COMPLETE_WEAK = build([r"(?<![\u4e00-\u9fff])完(?![全整美成])", r"搞掂", r"✅", r"✔", r"好(?=\s|$)"],
                      [r"ok", r"okay", r"ok了", r"c'est bon", r"ca y est", r"good to go"])
# Proof the repair works, in an engineer's words: "试了几次都正常", "tested ok". A completion even
# on a longer line without a job number.
TESTED = build([r"试(?:了|过)?[^,.!?，。！？]{0,5}(?:都|也)?(?:正常|没问题|ok)", r"(?:试机|测试|试运行)(?:正常|通过|ok|没问题)"],
               [r"tested (?:ok|fine|good|and working)", r"teste(?:e)? (?:ok|et fonctionne)"],
               [r"ทดสอบแล้ว"])
# Numbers of a completion report; with a job number they make it one.
LABOR_WORD = build([r"工时", r"人工", r"配件费", r"材料费", r"(?<![等缺订])(?:配件|材料)\s*[:：]?\s*\d", r"(?<!รอ)อะไหล่\s*\d"],
                   [r"labou?r", r"parts?\s*[:=]?\s*[$€]?\d"], [r"ค่าแรง"])

# -- status questions --------------------------------------------------------------------------------

STATUS_QUERY = build(
    [r"进度", r"进展", r"最新情况", r"状态", r"怎么样了", r"如何了", r"咋样了", r"到哪了", r"到哪儿", r"到哪(?:一)?步",
     r"哪一步", r"在哪了", r"在哪儿了", r"还要等", r"有(?:进展|动静|消息)(?:了)?(?:没|吗|么)",
     r"有人(?:接|管|来|处理|跟进)", r"有没有人", r"没人(?:接|来|管|处理)", r"还没(?:人)?(?:来|到|修|接|处理|好)",
     r"怎么还(?:没|不)", r"(?:修|处理|弄)(?:得|的)?(?:怎么样|如何|好了吗|好了没(?![用换动花收拆带问])|好没|完了吗|完没)", r"好了(?:吗|没(?![用换动花收拆带问]))",
     r"到了(?:吗|没)", r"来了(?:吗|没)", r"出发了(?:吗|没)", r"(?:修|处理|弄|搞)(?:得|的)?(?:咋样|怎样)", r"都(?:下午|晚上|中午|傍晚|\d+点|几点)了",
     r"说好(?:的)?(?:今天|上午|下午|几点)", r"被忘", r"忘了(?:吗|吧)", r"(?:派单|派人|安排|接单|受理|处理)了(?:吗|没|么)",
     r"(?:能|会|可以|还)?(?:过)?来(?:吗|么|不来)", r"派(?:出去|出)了?没(?:有)?", r"到底(?:派|来|修|有没有)", r"能[弄修搞]好不", r"来不来", r"查(?:一下|下|询)", r"跟进", r"催", r"结果", r"什么情况",
     r"啥情况", r"怎么回事", r"\d+(?:号)?(?:单|工单)?的(?:情况|进度)", r"出发(?:了)?没(?:有)?", r"(?:修|弄|搞)好不(?:$|[?？\s])",
     # who has it, nobody yet: "1024号单派给谁了", "一直没人理"
     r"(?:派|分配|分|交|转)给(?:了)?谁", r"谁(?:在)?(?:接|负责|处理|跟|来)", r"(?:一直|还是)没(?:人|动静|消息|回复)"],
    [r"status", r"progress", r"update on", r"any update", r"any news", r"where is", r"where's", r"wheres",
     r"eta", r"still waiting", r"nobody came",
     r"no one came", r"what'?s happening", r"what'?s going on", r"what is going on", r"follow up", r"follow-up",
     r"picked up", r"anyone (?:assigned|coming|on it)", r"technician assigned", r"someone assigned",
     r"who is (?:coming|on it)", r"who'?s (?:handling|on|doing|got|taking|taken|looking at|assigned to)",
     r"(?:is|are) (?:someone|anyone|somebody|you|they|he|she|the technician|the engineer) (?:still |actually |really |even )?coming",
     r"(?:is|are) (?:anyone|someone|anybody|somebody) (?:actually |really |even )?(?:assigned|on it|looking at)",
     r"(?:someone|anyone|technician|engineer|tech) coming", r"(?:been )?assigned(?: yet)?\s*\?", r"been assigned",
     r"ou en est", r"statut", r"avancement", r"des nouvelles", r"toujours pas", r"personne n'est venu",
     r"(?:va|vont) (?:venir|passer)", r"did (?:anyone|someone|somebody|you|they) (?:pick|take|get|see|accept)", r"viendra", r"viendront",
     r"still (?:nobody|no one|noone|nothing|no sign|no news)", r"nobody (?:has )?(?:come|came|showed up)",
     r"toujours personne", r"toujours rien", r"l'etat de", r"how far (?:away )?(?:is|are)", r"quelqu'un a pris (?:le|la|l')", r"(?:qui|quelqu'un) (?:a pris|s'en est occupe)", r"who (?:is|'s) (?:handling|assigned|doing|taking)",
     # "who got assigned?", "has Somchai left yet?", "qui s'en occupe ?"
     r"who (?:got|was|has been|did it get) (?:assigned|given|sent)", r"(?:has|did) (?:[a-z]+|物+) (?:left|set off|head(?:ed)? out)(?: [a-z]+){0,6} yet",
     r"qui (?:s'en occupe|est (?:assigne|envoye|charge))"],
    [r"อัปเดต", r"อัพเดต", r"อัพเดท", r"ถึงไหน", r"สถานะ", r"ความคืบหน้า", r"หรือยัง", r"(?<=ออก)(?:มา|ไป)?รึยัง", r"ถึงรึยัง",
     r"ยังไม่มา", r"จะมา[^\s]{0,15}(?:ไหม|มั้ย|หรือเปล่า)",
     r"มาไหม", r"อยู่ไหน", r"อยู่ที่ไหน", r"ยังไม่มีใคร", r"เป็น(?:ยังไง|อย่างไร|ไง)"],
)
# "When / how long" asks about a job only when the message is about one: "师傅几点到" is, "今天的
# 会几点开" is not (JOB_CONTEXT, or a device or a job reference, must be there too).
TIME_QUESTION = build(
    [r"什么时候", r"啥时候", r"何时", r"几点", r"多久", r"多长时间", r"哪天", r"几号"],
    [r"when will", r"when is", r"when are", r"when can", r"when do", r"when does", r"how long", r"what time",
     r"quand(?! (?:vous|tu) (?:pouvez|voulez|peux|veux|aurez|auras) le temps| (?:vous|tu) (?:pouvez|voulez|peux|veux)(?! venir| passer)| c.est possible| possible)", r"combien de temps", r"a quelle heure",
     # Thai typed as it sounds: "ja maa gee mong" (จะมากี่โมง)
     r"(?:gee|kee|ki|kii|ghee) mong"],
    [r"(?<!ว่าง)เมื่อไหร่", r"เมื่อไร", r"กี่โมง", r"นานไหม", r"วันไหน", r"ตอนไหน", r"กี่วัน"],
)
JOB_CONTEXT = build(
    # 到 as arriving ("几点到"), not as "until" ("营业到几点")
    [r"师傅", r"工程师", r"技术员", r"维修", r"修", r"单", r"到(?!几|什么时候|哪)", r"来", r"等", r"处理", r"上门"],
    [r"technicians?", r"engineers?", r"tech", r"someone", r"somebody", r"anyone", r"repair\w*", r"fix\w*", r"arriv\w*",
     r"come", r"coming", r"here", r"tickets?", r"jobs?", r"plumber", r"electrician", r"technicien", r"reparat\w*",
     r"intervention", r"venir", r"passer", r"repare\w*", r"(?:ja|ca|cha|jha) (?:maa|ma|ma tueng|maa thueng)", r"chang"],
    [r"ช่าง", r"มา", r"ซ่อม", r"ถึง"],
)

# Status words that always mean "tell me about an existing job", even next to a symptom.
# Words that ask after a job and never hand one over ("跟进" and "没人接" can do both).
STATUS_ASKED = build([r"进度", r"进展", r"状态", r"怎么样了"],
                     [r"status", r"progress", r"any update", r"update on", r"statut", r"avancement", r"ou en est"],
                     [r"สถานะ", r"ความคืบหน้า"])
STATUS_STRONG = build(
    [r"进度", r"进展", r"最新情况", r"状态", r"怎么样了", r"如何了", r"修(?:得|的)?怎么样", r"(?:修|处理)好了(?:吗|没)",
     r"有人接", r"没人接", r"还没人", r"还没(?:来|到)", r"跟进", r"催一下",
     # "我们报了收银机坏 为何还没有人来": a report chased, not a new one
     r"(?:为何|为什么|怎么)(?:还|仍)?(?:没|未)(?:有)?人", r"还没有人(?:来|到|接|管)"],
    [r"status", r"progress", r"any update", r"update on", r"still waiting", r"nobody came", r"no one came",
     r"ou en est", r"statut", r"avancement", r"des nouvelles", r"toujours personne",
     r"(?:is|are) (?:anyone|someone|anybody|somebody) (?:actually |really |even )?assigned"],
    [r"สถานะ", r"ความคืบหน้า", r"ยังไม่มา", r"ยังไม่มีใครมา"],
)
# The message is about something already reported ("昨天报的", "my ticket").
PAST_REF = build(
    [r"(?:之前|昨天|前天|刚才|刚刚|早上|上午|下午|中午|晚上|上次|已经|早就|前几天|上周|那天|今天|这周|周[一二三四五六日])"
     r"[^,.!?，。！？]{0,4}(?:报|提交|反映|提的|说的|下的)",
     r"报(?:的|过|了的)", r"我的(?:工单|单子|报修|单)", r"那个单", r"这个单",
     # a ticket named by what it is about: "那个漏水的单子", "我们店的单子"
     r"的(?:单子|工单|报修单|维修单)", r"那(?:个|张)?[^,.!?，。！？]{0,8}(?:单子|工单)"],
    [r"(?:my|our) (?:ticket|request|job|report|repair)", r"reported (?:yesterday|earlier|this morning|last)",
     r"ma demande", r"mon ticket", r"ma reparation", r"signalee?s? (?:hier|ce matin|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|la semaine)",
     r"reported (?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"],
    [r"ที่แจ้งไว้", r"ที่แจ้ง", r"แจ้ง[^\s]{0,12}ไป(?:แล้ว|ตั้งแต่)"],
)

QUESTION = build(
    [r"[?？]", r"吗", r"么", r"呢(?:\s|$)", r"没(?:有)?(?:\s*[?？.]*\s*$)", r"了没(?!问题|事|毛病|[用换动花收拆带])", r"(?:好|完|到)了?没有(?=\s|$|[,，.。!！])", r"什么时候", r"啥时候", r"几点", r"多久",
     r"是不是", r"有没有"],
    [r"when", r"where", r"what", r"how", r"is it", r"(?:is|are|has) (?:anyone|anybody|someone|somebody)", r"did", r"has", r"have you", r"quand(?! (?:vous|tu) (?:pouvez|voulez|peux|veux)(?! venir| passer)| c.est possible| possible)", r"ou", r"est-ce"],
    [r"ไหม", r"หรือยัง", r"(?<!ว่าง)เมื่อไหร่", r"มั้ย", r"กี่โมง", r"ไหน", r"ยังไง", r"อย่างไร", r"เหรอ", r"หรอ(?=\s|$|คะ|ครับ)", r"หรือเปล่า", r"รึยัง"],
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
# Steps specific enough to stand without a job number or a short line. Parts on order are an
# engineer's words even next to the broken part ("压缩机坏了要换 得订配件").
PARTS_STRONG = build(
    [r"(?:等|缺|订|调|没|买|采购)(?:个|一下|了|有)?(?:配件|零件|备件|部件)", r"缺(?:个|一个|了个)",
     r"(?:配件|零件|备件|部件)[^,.!?，。！？]{0,6}(?:到货|没货|缺货|没到|要订|订|等|调|在路上|发货|寄|快递)",
     r"订货|调货|没货|缺货", r"带(?:个|上)?(?:件|配件|零件|新的)(?:过来|过去|来|去)?"],
    [r"waiting (?:for|on) (?:the |a )?(?:new )?parts?", r"parts? (?:on order|ordered|needed|missing|not (?:in|arrived))",
     r"pieces? (?:commandees?|en commande|manquantes?|a commander)", r"attente (?:de|des|d'une) pieces?"],
    [r"รออะไหล่", r"สั่งอะไหล่", r"ขาดอะไหล่"],
)
# A delay given with its cause or new time ("堵车", "改明天", "en retard", "รถติด").
DELAY_STRONG = build(
    [r"堵车", r"塞车", r"迟到", r"晚点(?:到|过去|去|来)", r"晚[\d一二两三四五六七八九十半]+\s*(?:个)?(?:多)?(?:小时|分钟|钟头)",
     r"来不及", r"去不了", r"到不了", r"赶不(?:过去|到|上)", r"改(?:到|成)?(?:明天|后天|下午|晚上|周[一二三四五六日])",
     r"(?:推|挪|延|顺延)到", r"往后(?:推|延)"],
    [r"running late", r"stuck in traffic", r"be late", r"en retard"],
    [r"รถติด", r"ไปสาย", r"ไปช้า", r"ช้าหน่อย"],
)
# Someone who arrives but is no engineer on a job: a courier, a supplier's driver.
DELIVERY = build(
    [r"快递(?:员|小哥)?", r"外卖(?:员|小哥)?", r"送货(?:的|员|师傅)", r"送水(?:的|工)", r"供应商(?:的)?(?:车|司机)", r"货车司机"],
    [r"livreur", r"livraison", r"delivery (?:guy|man|driver|van|truck|person)", r"courier", r"postman", r"supplier'?s? (?:van|truck|driver)"],
    [r"ไรเดอร์", r"คนส่งของ", r"พนักงานส่ง(?:ของ|พัสดุ)", r"ขนส่ง"],
)
# Where people go when they are not on a job: "I'm on my way home", "running late for lunch", "我到家了".
OFF_DUTY = build([r"回家", r"到家", r"下班", r"吃饭", r"午饭", r"晚饭", r"开会", r"会议", r"聚餐", r"休息", r"放假", r"外卖"],
                 [r"home", r"lunch", r"dinner", r"breakfast", r"coffee", r"meeting", r"party", r"pizza", r"food",
                  r"gym", r"movies?", r"maison", r"dejeuner", r"diner", r"reunion"],
                 [r"บ้าน", r"กินข้าว", r"ประชุม"])
ETA_HINT = build([r"\d+\s*(?:分钟|分|min|minutes?|小时|h)", r"半小时", r"一?刻钟"], [r"eta"])
NEGATED_STEP = build([r"(?:别|不要|不能|不许|不准|不会|千万别)\s*(?:再)?(?:迟到|晚|晚到|出发|到)"],
                     [r"don'?t be late", r"ne soyez pas en retard"])
