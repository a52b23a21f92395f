"""Generic problem / urgency vocabulary (not domain lexicon: no devices, places or people here).

Tables are regex fragments per script. Chinese and Thai are matched as substrings (no spaces
between words); Latin fragments are matched as whole words on the accent-folded, lower-cased
text, so "reseau" stands for "réseau" and "Réseau".
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def build(cjk: Iterable[str] = (), latin: Iterable[str] = (), thai: Iterable[str] = ()) -> re.Pattern[str]:
    parts = [p for p in cjk]
    latin = list(latin)
    if latin:
        parts.append(r"(?<![a-z])(?:" + "|".join(latin) + r")(?![a-z])")
    parts += list(thai)
    return re.compile("|".join(parts))


# -- symptoms: something is wrong --------------------------------------------------------------

# What devices do; a negated one is a symptom ("doesn't close"), a negated anything-else is not
# ("don't forget", "isn't full yet").
_DEVICE_VERBS = (r"work|turn|start|open|clos|cool|heat|warm|print|read|scan|connect|charg|drain|flush|lock|load|suck|"
                 r"respond|boot|power|light|spin|run|mov|record|display|show|dispens|freez|switch|detect|accept|produc|pull|"
                 r"pair|sync|flow|fill|chill|stop|shut|go on|come on|go down|go up|function|operat")
_DEVICE_VERBS_FR = (r"marche|fonctionne|imprime|allume|ouvre|ferme|demarre|refroidi|chauffe|coule|lit|charge|tire|aspire|incline|releve|"
                    r"repond|tourne|eteint|capte|enregistre|affiche|detecte|accepte|vidange|descend|monte|bouge|souffle")
# Services whose absence is a symptom: "no hot water", "plus de chauffage".
_SERVICES = (r"power|electricity|water|hot water|heat|heating|cooling|cold air|air|steam|pressure|suction|bubbles|airflow|internet|wifi|wi-fi|signal|"
             r"connection|network|sound|picture|image|display|video|light|lights|ac|aircon|air con|"
             r"air conditioning")
_SERVICES_FR = (r"courant|electricite|eau|eau chaude|chauffage|clim\w*|internet|reseau|wifi|lumiere|son|image|"
                r"signal|connexion|froid|chaud")

_SYMPTOM_ZH = [
    r"(?:摸着|摸起来)(?:是)?(?:凉|冷)", r"霉味", r"(?:该|得|需要)换了",
    # set to one temperature, reaching another: "烤箱设200度实际只有120度"
    r"设(?:了|到|定|的)?\s*\d+\s*(?:度|℃|°)[^,.!?，。！？]{0,6}(?:实际|只有|才|只到)", r"(?<![好破])烂(?:了|咗|掉了)", r"关不(?:实|紧|严|拢)",
    # broken / failed
    r"坏", r"故障", r"失灵", r"不出(?:蒸汽|汽|冰|热风|冷风|风)", r"不(?:脱水|甩干|排水|烘干)", r"(?:没|不)(?:啥|太|够|怎么)(?:冻|冷)",
    # a machine keeping the money: "吞了我4块钱"
    r"吞(?:了)?(?:我)?(?:的)?(?:\d+|[一两二三四五六七八九十]+)?(?:块|元)?(?:钱|币|硬币|卡)", r"不灵", r"罢工", r"趴窝", r"歇菜", r"挂了", r"出问题", r"有问题", r"有毛病", r"毛病",
    r"不行了", r"不好了", r"不好用", r"不好使", r"不能用", r"没法用", r"无法", r"失效", r"损坏", r"老化",
    # stopped / not running
    r"死机", r"宕机", r"当机", r"停机", r"停摆", r"停了", r"停运", r"不动了", r"不动(?!产)", r"不上不下", r"不上(?:汽|气|蒸汽|温|水)", r"没(?:有)?风(?:出|吹出|了)", r"没(?:有)?(?:蒸)?汽(?=了|[,.!?，。！？\s]|$)", r"(?:萃|打|流|吹)出来(?:的)?(?:都)?是(?:温|凉|冷)的", r"(?:升|抬|降|推|拉)不(?:上|下|起|动)(?:来|去)?", r"尖叫声|怪声|异响", r"没(?:有)?(?:冷气|暖气|热风|冷风)(?:了|出来|出)", r"报\s*[a-z]{1,2}\s*\d{1,3}(?![\d.])", r"吸力(?:很|好|太|特别)?(?:小|弱|差)|没(?:有)?吸力", r"(?:keep|一直|老是|总是)\s*重启", r"(?:螺丝|螺栓|扶手|把手)[^,.!?，。！？]{0,3}松(?:了|动|掉)", r"(?:躺|放|降)下去(?:就)?(?:起|升|抬)不(?:来|起来)", r"跑偏", r"打滑", r"不转", r"不走了", r"不工作",
    r"不运转", r"不运行", r"不启动", r"不开机", r"自动关机", r"一直重启", r"反复重启", r"卡住", r"卡了", r"卡死",
    r"卡顿", r"转圈", r"一直加载", r"加载不出",
    # screens / signals
    r"黑屏", r"花屏", r"蓝屏", r"白屏", r"闪屏", r"乱码", r"报错", r"错误", r"报警", r"没画面", r"黑画面", r"无画面",
    r"没图像", r"不显示", r"显示异常", r"模糊", r"看不清", r"不清晰", r"没声音", r"没声", r"没信号", r"无信号",
    r"信号差", r"掉线", r"断线", r"断了", r"断开", r"离线", r"断网", r"没网", r"没有网", r"网速慢", r"网(?:很|太|特别|好)?慢",
    r"连不上", r"上不了网", r"登不上", r"不通",
    # cooling / heating / temperature
    r"不制冷", r"不制热", r"不制", r"不冷", r"不热", r"不凉", r"不暖", r"不加热", r"不够冷", r"温度不够", r"上不去", r"下不来", r"降不下", r"下不去",
    r"制冷(?:效果)?(?:很|太|特别)?差", r"效果(?:很|特别|太|非常)?(?:差|不好)", r"很差",
    r"吹(?:出来)?(?:的)?(?:都|全)?(?:是)?(?:热|暖)(?:的|风|气)", r"热风", r"不出风", r"不出冷风", r"风(?:很|太)?小",
    r"温度(?:太|很|特别|一直)?(?:高|低|不对|异常)", r"结冰", r"结霜", r"发烫", r"烫手", r"过热",
    # water
    r"漏", r"滴水", r"渗水", r"冒水", r"溢水", r"积水", r"反水", r"返水", r"倒灌", r"反味", r"堵", r"不下水",
    r"冲不下去", r"不出水", r"没水", r"水压(?:很|太)?(?:低|小)", r"没热水", r"没有热水", r"不出热水",
    # power / light
    r"跳闸", r"停电", r"断电", r"没电", r"不通电", r"短路", r"不亮", r"灭了", r"熄了", r"熄灭", r"闪",
    r"忽明忽暗", r"(?:冷气|风|水压|信号|吸力|火)(?:有够|很|太|好|特别)弱", r"(?:老是|一直|半夜|总是)乱(?:叫|响)", r"(?:通讯|通信|连接|联网)失败",
    # noise / smell / physical
    r"异响", r"响声", r"噪音", r"杂音", r"怪声", r"怪响", r"太吵", r"很吵", r"好吵", r"吵死",
    r"声音(?:很|特别|好|太)?(?:大|怪|奇怪|吵|响)", r"发出[^,.!?，。！？]{0,8}(?:声|响)", r"有(?:怪)?(?:声音|响声)",
    r"一直响", r"老是响", r"总是响", r"在响", r"响个不停", r"嗡嗡", r"咔咔", r"吱吱", r"滋滋", r"抖动", r"晃动",
    r"震动(?:很|太|特别)?大", r"异味", r"臭味", r"怪味", r"糊味", r"焦味", r"难闻", r"味道(?:很|好|特别)?(?:大|重|怪|冲)",
    r"冒烟", r"着火", r"起火", r"失火", r"烧了", r"烧坏", r"烧焦", r"焦了", r"爆了", r"松了", r"松动", r"脱落",
    r"掉了", r"裂了", r"破了", r"生锈", r"变形", r"碎了", r"碎", r"裂", r"掉下来", r"掉下", r"歪了", r"倒了", r"弯了",
    r"臭", r"(?:一直|老是|总是)?(?:亮|闪|显示)?红灯", r"一直(?:是)?红(?:色)?", r"报红", r"时好时坏", r"不稳定", r"断断续续", r"异声", r"异音", r"抖", r"晃",
    r"温度[^,.!?，。！？]{0,4}(?:升|上升|涨|高)", r"不(?:开|关)门", r"门不(?:开|关)", r"disjonct\w*",
    # Cantonese: 唔 (not) / 冇 (none) / 咗 (done).
    r"唔(?:冻|凍|制冷|work|得|郁|着|开|亮|通|出|转)", r"坏咗", r"冇(?:反应|电|水|网|声|风|冷气|画面)",
    # devices that won't respond
    r"没反应", r"无反应", r"不灵敏", r"反应(?:很|特别)?慢", r"(?:很|太|好|特别)慢", r"卡纸", r"打印不出", r"打不出",
    r"刷不了", r"扫不了", r"识别不了", r"读不了", r"进不去", r"出不来", r"不出(?:票|纸|冰|图|气|汽|油|声|光|奶|咖啡)",
    r"(?:数据|计量|称|温度)不准",
    # screens gone dark, water or air that does not move, "should be 4 degrees"
    r"(?:全|一片|都是|全部)黑", r"黑(?:了|掉)", r"不(?:排|抽|进|吸|下)(?:水|气|风)", r"正常(?:应该|应当|情况下|是)",
    r"应该(?:是|在)\s*\d", r"往上(?:走|跑|升|涨)", r"一直(?:在)?(?:升|涨|往上)",
    # separable verbs split by an aspect or an amount: 结了好多冰, 冒了一股烟, 积了一层水
    r"(?:结|冒|积|漏)了?[^,.!?，。！？\s]{0,3}(?:冰|霜|烟|水)",
    # only part of it works: "只剩一半画面", "灯只亮一半", "只有半边出风"
    r"只(?:剩|有|亮|能用|出)?(?:下)?(?:一半|半边|半个)",
    # A bare fault verb closing a terse line: "WIFI 断", "水管 爆", "空调 坏".
    r"[坏断爆漏堵停卡跳裂碎烧](?:了|掉|开)?(?=\s*(?:$|[!！?？,，.。~]))", r"(?:就|又|老|总|一直|经常)跳", r"跳(?:了|掉)",
    # Verb + 不 + result ("登录不上去", "关不掉", "付不了"): the generic shape of "X won't Y".
    # Verbs of wanting, fitting or finding are left out: "放不下" (full) and "找不着" (lost) are fine.
    r"[开关打启冲排降升拉推转动亮响刷扫连登录插按付点锁充读识别拔抽吸吹卸拆合弹输载加烧煮烤洗烘制印停流出进收退看放播]不"
    r"(?:上去|下去|进去|出来|起来|下来|过来|动|开|上|通|亮|住|着|著|掉|进|了)",
    r"用不了", r"不停地?(?:响|跳|闪|滴|叫)",
    # hedged faults: "好像不太冷", "感觉有点问题", "不对劲"
    r"不(?:太|怎么|大|是很)(?:冷|凉|制冷|热|暖|灵|好用|正常|对)", r"有(?:点|些|一点|点儿)(?:问题|毛病|异常|怪)", r"不对劲",
    r"不正常",
    # heating that blows cold, a tap that will not close, a freezer that will not freeze
    r"只(?:吹|出|有)冷(?:风|气)", r"(?:调|开|设)(?:到|成)\s*\d+\s*度[^,.!?，。！？]{0,6}(?:也|还|都)是?(?:冷|热)",
    r"[拧关]不(?:紧|严|住|死)", r"[开关]不到", r"爆(?:管|裂)", r"自己(?:响|叫|报警|重启|关机|开机)", r"(?:自己|自动)(?:就)?(?:关(?:了|掉|机)|断电|熄火|跳闸)", r"不吐(?:币|钱|票|卡|货|冰)", r"(?:压|砸)?塌了", r"开了[^,.!?，。！？]{0,8}(?:还是|都还|还)凉", r"一点[\u4e00-\u9fff]{0,2}都不(?:出|来|转|动|亮|热|冷)", r"沙沙(?:响|声)", r"反转", r"倒转", r"滴滴答答", r"不冻(?!结|疮)",
    r"(?:开了|开着)[^,.!?，。！？]{0,3}没(?:有)?(?:风|反应|动静)",
    # a bell pressed that stays silent, steam or pressure short, a boiler that will not boil, wires sparking,
    # food still raw after its time in the steamer
    r"按了?(?:好几次|几下|半天)?(?:也|都|还)?(?:不|没)(?:响|反应|亮|动)", r"(?:铃|门铃|喇叭|广播|音箱|音响)[^,.!?，。！？]{0,4}不响",
    r"(?:蒸汽|水压|气压|火力|吸力|风力|压力|风量|水量|热量)(?:很|太|明显|有点|都)?(?:不够|不足)", r"不烧(?:水|开)", r"打火(?!机)",
    r"(?:蒸|煮|烤|炸|热)了[^,.!?，。！？]{0,8}(?:还是|都还|还)(?:生|凉|冷)的",
]
_SYMPTOM_LATIN = [
    # "lost connection", "the lights … are all off, pitch dark", "can't load"
    r"lost (?:the )?(?:connection|signal|power|network)", r"pitch (?:dark|black)", r"(?:lights?|lamps?|bulbs?)(?: [a-z0-9]+){0,8} (?:are|is) (?:all )?(?:off|out|dead)(?![a-z])",
    r"(?:can'?t|cannot|won'?t) (?:connect|load|go through)", r"(?:shows?|showing|just|only) (?:static|snow)(?![a-z])", r"no (?:picture|image|video feed)",
    r"broken", r"broke", r"breaks", r"brokn", r"borken", r"brocken", r"not working", r"not workin", r"notworking",
    r"isn'?t working", r"isnt working", r"doesn'?t work", r"doesnt work", r"does not work", r"stopped working",
    r"stopped", r"stops", r"not moving", r"(?:decided|started|began) to stop", r"stop (?:cooling|working|heating|running)",
    r"flou(?:e|es)?",
    r"dead", r"died", r"dies", r"down", r"faulty", r"fault", r"malfunction\w*", r"errors?", r"problems?", r"issues?",
    r"out of order", r"not responding", r"unresponsive", r"frozen", r"froze", r"freezes", r"crash\w*", r"keeps", r"keeps? \w+ing", r"restarting",
    r"rebooting", r"(?:has|'s|is|just) stopped(?! by)", r"stopped (?:mid|dead|working|moving|running)", r"gatee?s?(?![a-z])", r"not cooling", r"not heating", r"not cold", r"frost(?:ing|ed) (?:over|up)", r"ic(?:ing|ed) up", r"isn'?t (?:cold|cooling|cool|freezing)", r"(?:is|'s|are|'re|getting|gone|went|running) (?:warm|lukewarm)(?![a-z])", r"not (?:very|that|really|quite) (?:cold|cool|warm|hot)",
    r"acting up", r"playing up", r"seems off", r"not right", r"too hot", r"too cold", r"no cold air",
    r"warm air", r"blowing hot", r"(?:went|gone|go|going|goes) dark", r"(?:all|completely) dark", r"overheat\w*", r"hot to the touch", r"sparked", r"no power", r"no water", r"no hot water",
    r"no internet", r"no signal", r"no wifi", r"no display", r"black screen", r"blank screen", r"blank",
    r"leak\w*", r"dripping", r"drips", r"flood\w*", r"overflow\w*", r"clogged", r"blocked", r"jammed", r"stuck",
    r"not draining", r"tripped", r"tripping", r"(?:breaker|fuse|rcd|switch|power|it) (?:keeps |always )?trips", r"flicker\w*", r"blink\w*", r"beep\w*", r"nois\w*", r"loud",
    r"rattl\w*", r"squeak\w*", r"grinding", r"knocking", r"banging",
    # a machine keeping the money: "swallowed my coins", "avale les pièces"; Singlish "die already"
    r"swallow(?:ed|s|ing)? (?:my |the |our |all )?(?:coins?|money|cash|notes?|cards?)", r"avale (?:les |mes )?(?:pieces|billets|cartes?)",
    r"(?:die|dead|spoil|rosak|kong) (?:already|liao|le)",
    # Singlish "toilet choke": blocked
    r"choked?(?! on| up with (?:emotion|tears))", r"cut out", r"(?:cuts|cutting) out",
    # Australian: "carked it", "gone bung"; an error code shown: "beeping E1", "throwing E3"
    r"carked(?: it)?", r"(?:gone|is|went) bung", r"(?:beep\w*|throw\w*|show\w*|flash\w*|display\w*) (?:an? )?(?:error )?(?:code )?e\d{1,3}(?![a-z\d])", r"stone cold", r"snapp?ed", r"(?:won'?t|doesn'?t|can'?t) (?:come|go) (?:back )?(?:up|down)", r"clicks?(?! here| the link| on)", r"buzz\w*", r"humming", r"vibrat\w*", r"smoke", r"smoking",
    r"sparks?", r"sparking", r"burning", r"burnt", r"burned", r"melted", r"smells?", r"smelly", r"odou?r",
    r"only half", r"half (?:of )?(?:the )?(?:screen|picture|image|lights?) (?:is|are)?\s*(?:out|dark|black|off|missing)",
        r"offline", r"disconnect\w*", r"dropping", r"drops", r"slow", r"laggy", r"lagging", r"cracked", r"loose",
    r"fell off", r"out of service", r"water (?:coming|pouring|dripping|leaking|running)", r"(?:is|are) out", r"went out", r"not on", r"won'?t come on", r"backing up", r"backed up",
    r"backs up",
    # "no heating", "plus de chauffage": the device's service is missing.
    r"no (?:" + _SERVICES + r")(?!\s+(?:needed|required|necessary))", r"(?:plus|pas|aucune?) (?:de |d')(?:" + _SERVICES_FR + r")", r"rejecting", r"rejects?", r"reboots?(?: itself)?", r"restarts? (?:itself|on its own|by itself)", r"declin(?:es|ing)", r"refus(?:e|es|ed|ing)", r"rejett?e\w*", r"should be", r"supposed to",
    r"doesn'?t turn on", r"not turning on", r"won'?t start", r"alarms? (?:is |are |keeps )?going off", r"instead of -?\d", r"au lieu de -?\d",
    r"(?:l'|une )?alarme (?:sonne|qui sonne|se declenche)",
    # a temperature on the move: "at 9 degrees and climbing"
    r"(?:and |still |keeps )(?:climbing|rising|going up)", r"(?:temp\w*|degrees?) (?:is |are |keeps )?(?:climbing|rising)",
    # A device function negated: "isn't reading cards", "not printing", "doesn't close properly".
    r"(?:isn'?t|aren'?t|is not|are not|not|doesn'?t|don'?t|won'?t|can'?t|cannot|couldn'?t|never)"
    r" (?:\w+ly )?(?:" + _DEVICE_VERBS + r")\w*",
    r"(?:n'|ne (?:se |s')?)(?:" + _DEVICE_VERBS_FR + r")\w* (?:pas|plus)",
    # French
    r"ne marche (?:pas|plus)", r"marche (?:pas|plus)(?! que)", r"ne fonctionne (?:pas|plus)", r"fonctionne (?:pas|plus)(?! que)", r"en panne",
    r"pannes?", r"hs", r"cassee?s?", r"bloquee?s?", r"coincee?s?", r"fuites?", r"fuit", r"gouttes?", r"bruits?",
    r"bruyante?", r"grince", r"vibre", r"fume", r"fumee", r"etincelles?", r"surchauffe", r"chauffe trop",
    r"disjoncte", r"clignot\w*", r"gelee?", r"bouchee?s?", r"deborde", r"lente?", r"coupee?", r"coupure",
    r"erreurs?", r"ecran noir", r"grillee?s?", r"s'eteint", r"ne s'allume (?:pas|plus)", r"ne demarre (?:pas|plus)",
    r"ne refroidit (?:pas|plus)", r"ne chauffe (?:pas|plus)", r"ne s'ouvre (?:pas|plus)",
    r"ne se ferme (?:pas|plus)", r"(?:s'est|se sont) arretee?s? (?:net|d'un coup|tout seul|toute seule|en plein)", r"s'arrete(?:nt)? (?:net|d'un coup|tout seul|toute seule|sans raison|de temps en temps|en plein)", r"bruit de ferraille",
    r"affiche (?:un |une |le |la )?(?:\W*)?(?:erreur|defaut|code|alarme)", r"defaut d'(?:isolement|alimentation|charge)", r"impossible de (?:lancer|demarrer|allumer|charger|ouvrir|fermer|imprimer|se connecter)", r"ne (?:reconnait|lit|detecte) (?:plus|pas)", r"(?:sont|est) glacee?s?", r"en train de (?:degeler|decongeler|fondre)", r"fait des etincelles", r"ne coule (?:pas|plus)", r"(?:que|seulement|juste) de l'eau froide", r"(?:only|just) cold water", r"probleme", r"plus de courant",
    r"(?:n'|ne (?:se |s')?)?(?:" + _DEVICE_VERBS_FR + r")\w* pu",
    # Thai typed as it sounds: "air mai yen" (แอร์ไม่เย็น), "fai dub" (ไฟดับ), "nam yod" (น้ำหยด)
    r"mai (?:yen|dai|tam ?ngan|tid|ok|lai|ork)", r"(?:fai|fi) (?:dub|dap|dab|dup)", r"nam (?:yod|yot|rua|rhua|lai mai yud)",
    r"sia (?:laew|leaw|lew|laeo)",
    # Nigerian Pidgin "don spoil" / "no dey work"; Tagalog-English "ayaw mag-on", "sira na"
    r"chuck(?:ed|s|ing)? (?:a )?wobbl(?:y|ies)", r"(?:est|sont) brisee?s?(?![a-z])", r"cannot (?:on|off|start|open|close|turn on)(?![a-z])", r"can't on(?![a-z])", r"(?:est|sont) gate(?:e|s|es)?(?![a-z])",
    r"don (?:spoil|die|quench|jam|stop|burst|blow|cut)", r"no (?:dey|de) (?:work|cool|on|start|show|heat|move|gree)",
    r"ayaw (?:mag-?\w+|gumana|umandar|bumukas|lumamig|uminit|sumindi)", r"sira na", r"nasira", r"hindi (?:gumagana|umaandar|lumalamig|umiinit|bumubukas)", r"(?:pang|phang) (?:laew|leaw|lew)",
    r"(?:plus|pas) d'?(?:e )?(?:internet|reseau|wifi|courant|electricite|eau chaude|eau|lumiere)",
]
_SYMPTOM_TH = [r"กินบัตร", r"กระพริบ", r"กะพริบ", 
    r"เสีย", r"พัง", r"ไม่ทำงาน", r"ใช้ไม่ได้", r"ใช้งานไม่ได้", r"ไม่เย็น", r"ไม่ร้อน", r"ไม่ติด", r"เปิดไม่ติด",
    r"เปิดไม่ได้", r"ปิดไม่ได้", r"ดับ", r"รั่ว", r"ซึม", r"หยด", r"ตัน", r"ค้าง", r"ช้า", r"หลุด", r"เสียงดัง",
    r"มีเสียง", r"ร้อนผิดปกติ", r"ควัน", r"ไหม้", r"ช็อต", r"สะดุด", r"กระพริบ", r"ไม่ออก", r"ไม่ไหล", r"ไม่หมุน",
    r"หยุดทำงาน", r"หยุด", r"ไม่มีน้ำ", r"มีปัญหา", r"ไม่ลง", r"ไม่ได้(?=เลย|ค่ะ|ครับ|คะ|นะ|\s|$)", r"ขึ้น ?error", r"กลิ่น", r"เหม็น", r"แตก", r"หัก", r"หลุด",
    # A device function negated ("ไม่บันทึก", "ไม่ค่อยเย็น").
    # Isan and Lao write the negation บ่: "บ่เย็น"
    r"บ่(?:ค่อย)?(?:เย็น|ร้อน|อุ่น|ทำงาน|ติด|ออก|ไหล|หมุน|มีไฟ|มีน้ำ|มีลม)",
    # southern Thai writes ไม่ค่อย as ไม่หอน: "ไม่หอนเย็น"
    r"ไม่(?:ค่อย|หอน)?(?:ปั่น|ทำงาน|เย็น|ร้อน|อุ่น|ติด|ออก|ไหล|หมุน|บันทึก|อ่าน|พิมพ์|เปิด|ปิด|ชาร์จ|สว่าง|ดัง|มีไฟ|มีน้ำ|"
    r"มีสัญญาณ|มีภาพ|มีเสียง|มีลม|มีความเย็น|มีเน็ต|ขึ้น|ตอบสนอง|เชื่อมต่อ|ล็อก|สแกน|รับ|ทำความเย็น|แรง|สนิท|ทำงาน|เข้า(?!ใจ))",
]
SYMPTOM = build(_SYMPTOM_ZH, _SYMPTOM_LATIN, _SYMPTOM_TH)

# Phrases that contain a symptom word but say the opposite ("没问题", "not bad"); blanked before
# SYMPTOM is searched.
NOT_A_SYMPTOM = build(
    [r"没(?:有|什么)?问题", r"不错", r"没毛病", r"好用", r"不坏", r"没(?:有)?坏", r"没(?:有)?(?:出)?故障",
     # a remote or a phone running flat is not a power cut ("是我遥控器没电了"); "不是店里停电" denies one
     r"不是[^,.!?，。！？]{0,4}(?:停电|断电|断网|停水|坏了?|故障)",
     r"(?:遥控器?|手机|电池|充电宝|电脑|平板|对讲机|耳机|手表|鼠标|键盘)[^,.!?，。！？]{0,4}没电(?:了)?",
     # a crowd, not a fault: "电梯今天人好多 等不到"
     r"人(?:好|太|很|超|特别)?多[^,.!?，。！？]{0,6}等不(?:到|上|及)"],
    [r"no problems?", r"no issues?", r"not a problem", r"not bad", r"no worries", r"pas de probleme",
     r"sans probleme", r"pas mal", r"(?:isn'?t|is not|wasn'?t|not) (?:broken|faulty)", r"nothing wrong", r"nothing (?:is |'s )?broken",
     r"pas (?:en panne|casse)",
     # busy, not overflowing: "on est débordés"
     r"(?:on est|je suis|nous sommes|vous etes|ils sont|elles sont|on a ete|j'ai ete) (?:completement |un peu |tres )?debordee?s?"],
    [r"ไม่มีปัญหา", r"ไม่เป็นไร", r"ไม่ได้เสีย"],
)

# Symptoms that name their equipment class by themselves: "不制冷了" is a report even with the
# device misspelt ("空掉不制冷") or left out.
IMPLIED_REPORT = build(
    [r"不制冷", r"不制热", r"不出冷风", r"跳闸", r"断网", r"停电", r"断电", r"没电了", r"没网", r"卡纸", r"死机",
     r"当机", r"宕机", r"黑屏", r"堵了", r"堵住", r"堵塞", r"不出水", r"没热水", r"不出热水", r"没水了", r"停水"],
    [r"not cooling", r"not heating", r"no power", r"power outage", r"no internet", r"no hot water", r"clogged",
     r"ne refroidit (?:pas|plus)", r"panne de courant", r"no water", r"plus d'eau",
     r"air mai yen", r"(?:fai|fi) (?:dub|dap|dab|dup)", r"net (?:mai dai|lud|lhud|lut)",
     r"(?:plus|pas) d'?(?:e )?(?:internet|reseau|wifi|courant|electricite|eau chaude)",
     r"(?:toilets?|sinks?|drains?|basins?|urinals?|pipes?|loo|wc) (?:choked?|jam(?:med)?)"],
    [r"ไม่เย็น", r"บ่เย็น", r"ไฟดับ", r"ท่อตัน", r"ส้วมตัน", r"เน็ตหลุด", r"น้ำไม่ไหล", r"ไม่มีน้ำ"],
)

# Devices with no skill of their own: a symptom on one is still a report ("音响没声音了"),
# just without a skill for routing.
_DEVICE_WORDS = (
    [r"设备", r"机器", r"音响", r"音箱", r"广播", r"电视", r"屏幕", r"显示屏", r"大屏", r"自动门", r"卷帘门", r"门锁",
     r"闸机", r"检票机", r"售货机", r"贩卖机", r"自助售卖机", r"电动门", r"感应门", r"排气扇", r"叫号机", r"按钮", r"按键", r"面板", r"把手",
     r"升降(?:台|椅|平台)?", r"液压", r"缆车", r"索道", r"吊椅", r"驱动站", r"蒸汽棒"],
    [r"device", r"machine", r"equipment", r"speakers?", r"tv", r"screen", r"display", r"door", r"lock", r"gate",
     r"shutter", r"porte", r"appareil", r"ecran", r"serrure", r"rideau", r"vending machines?", r"turnstiles?", r"distributeurs?",
     r"chairlifts?", r"ski lifts?", r"gondolas?", r"telesieges?", r"telecabines?", r"teleskis?"],
    [r"เครื่อง", r"ประตู", r"จอ", r"ลำโพง", r"ตู้กด", r"ที่ชาร์จ", r"หัวชาร์จ"],
)
# Every brief brings machines no list names (a tyre changer, a dough mixer, a conveyor belt, a
# car lift): what makes a word a machine is its head, so heads are read rather than listing
# machines — "扒胎机", "和面机", "蒸箱", "循环泵"; "tyre changer", "conveyor belt", "pont élévateur".
# Heads that are people, places or the bot are kept out (司机, 机场, 机器人, 柜台, 邮箱).
_MACHINE_HEADS = (
    [r"[\u4e00-\u9fff](?<![手司飞时危心耳登乘转随有商良契生投])机(?![会场构制关票遇人率])",
     r"[\u4e00-\u9fff](?<![容武乐仪脏])器(?!人|材店)", r"[\u4e00-\u9fff](?<![邮信纸木皮行])箱(?!子里的货)",
     r"[\u4e00-\u9fff]柜(?!台|员|姐)", r"[\u4e00-\u9fff]泵", r"[\u4e00-\u9fff]桩", r"充电(?:站|枪|口)", r"[\u4e00-\u9fff]炉(?!石)", r"[\u4e00-\u9fff](?<![坐座一二三四五六七八九十几])椅", r"[\u4e00-\u9fff]罩", r"(?:登车|升降|液压)桥", r"[扶滑]梯", r"座椅",
     r"(?:传送|输送|皮)带", r"[\u4e00-\u9fff]{1,2}阀", r"电机", r"马达", r"发动机", r"水管", r"管道"],
    [r"(?:machines?|changers?|conveyors?|conveyor belts?|belts?|pumps?|steamers?|ovens?|fryers?|grills?|"
     r"mixers?|motors?|compressors?|boilers?|heaters?|washers?|presses|ramps?|hoists?|scales?|sensors?|"
     r"dispensers?|kiosks?|terminals?|valves?|generators?|shredders?|projectors?|turntables?|rollers?|"
     r"blowers?|grinders?|slicers?|barriers?|chargers?|charging (?:points?|stations?|posts?|bays?)|tanks?|filters?|dryers?|driers?|stoves?|hobs?|fans?|levell?ers?|recliners?|seats?|units?|readers?|locks?|radiators?|boilers?)",
     r"(?:pont|tapis) (?:elevateur|roulant)", r"pompes?", r"(?:le|un|du|au|mon|notre|leur) fours?", r"friteuses?", r"chaudieres?", r"compresseurs?",
     r"moteurs?", r"balances?", r"vitrines?", r"hottes?", r"trancheuses?", r"petrins?", r"batteurs?",
     r"broyeurs?", r"barrieres?", r"bornes? de (?:recharge|charge)", r"bornes?", r"sechoirs?", r"filtres?", r"cuves?", r"aquariums?"],
    [r"สายพาน", r"ปั๊ม", r"มอเตอร์", r"ตู้(?!เสื้อ)", r"ท่อ"],
)
GENERIC_DEVICE = build(*(words + heads for words, heads in zip(_DEVICE_WORDS, _MACHINE_HEADS)))

# A notice about planned work ("明天停电检修") is not a fault report.
SCHEDULED = build(
    [r"(?:明天|后天|下周|周末|今晚|计划|预计|将于|将在)[^,.!?，。！？]{0,16}(?:停电|停水|断网|检修|维保|保养|年检)",
     # planned work on a named day or in a time window: "本周六凌晨2点到4点机房网络维护", "下周三电梯年检"
     r"(?:明天|后天|下周|本周|这周|周[一二三四五六日末]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|凌晨|今晚|\d+[日号]|"
     r"\d+点(?:到|至|-)\s*\d+点)[^!?！？]{0,16}(?:维护|维保|保养|检修|年检|巡检|升级|演练|施工|消杀)",
     r"期间(?:可能|会|将|暂停|无法)", r"演练", r"例行(?:维护|检查|保养|巡检)",
     # a store opening is news, not a door that will not open
     r"(?:新店|门店|分店)?(?:开业|开张)"],
    [r"(?:planned|scheduled) (?:maintenance|outage|power cut)",
     r"will (?:shut|turn|switch|cut) (?:off|down) (?:the )?(?:water|power|electricity|gas|internet|wifi|network|lifts?|elevators?|escalators?)",
     r"(?:water|power|electricity|gas) (?:will be|is going to be) (?:shut|turned|switched|cut) off", r"maintenance (?:tomorrow|tonight|next week)",
     r"coupure (?:prevue|programmee)", r"(?:outage|power cut|shutdown|coupure de courant)[^.!?]{0,20}(?:planned|scheduled|prevue|programmee)",
     r"nothing to do on our (?:side|end)", r"(?:fire|evacuation|safety) drill", r"drill (?:on|at|this|next|tomorrow)",
     r"(?:maintenance|upgrade|inspection) (?:on|this|next|tomorrow|tonight|from|between)",
     r"exercice (?:incendie|d'evacuation)", r"maintenance (?:prevue|programmee)",
     r"(?:store|shop|branch) opening (?:next|this|on|in|soon)", r"(?:grand|soft) opening", r"ouverture (?:du|de la|prevue|officielle)"],
    [r"ปิดปรับปรุง", r"ซ้อมหนีไฟ", r"บำรุงรักษา", r"เปิดสาขาใหม่"],
)

# Forwarded notices and reminders announce; they never report: "【通知】…", "转发：…", "reminder: …".
NOTICE = build(
    [r"^\W*[\[<【]?\s*(?:通知|公告|转发|提醒|温馨提示|重要提示|转)\s*[\]>】:：](?!\s*(?:收银员?|店员|同事|店长|员工|服务员|厨师|保安|保洁|前台|领班)[\u4e00-\u9fff]{0,3}\s*[:：说])", r"^\W*转发(?!(?:一下)?(?:店员|同事|店长|员工|客人|顾客|老板)(?:的话|说))",
     # a sender before the word: "系统通知：", "物业通知：", "IT部门通知:"; "请勿报修" never reports
     r"^\W*[\[<【]?[\u4e00-\u9fffa-z]{1,6}(?:通知|公告|提醒)\s*[\]>】:：]", r"请勿(?:报修|重复报修|报障)", r"(?:不用|无需|不需要|不必)(?:再)?(?:报修|报障|派单)(?!了)", r"(?:还好|幸好|好在|幸亏)(?:还)?没(?:有)?(?:报修|报障|叫(?:师傅|人))", r"属(?:于)?正常现象", r"测试消息", r"请忽略",
     r"(?:关于|有关)[^,.!?，。！？]{0,20}的通知", r"^\W*(?:物业|物管|管理处|商场|大厦|园区)(?:管理处|服务中心|中心|办公室)?\s*[:：]", r"请(?:各|全体)?(?:店|门店|位|部门|同事|员工|店长)?(?:知悉|周知|留意)",
     # paperwork about a fault: "事故报告已经发到邮箱了", "the report on last week's outage is in the drive"
     r"(?:报告|记录|总结|复盘|说明)[^,.!?，。！？]{0,6}(?:已经|已)?(?:发|放|传|上传|存)(?:到|在|进)了?[^,.!?，。！？]{0,4}(?:群|邮箱|网盘|共享|文件夹|云盘)",
     r"特此通知", r"(?:大家)?(?:不用|别|不要)再(?:问|催)了", r"请(?:大家)?提前(?:做好|准备|安排)", r"别(?:再)?重复报(?:了|修)?", r"^\W*(?:早班|晚班|夜班|中班|夜审)?交接(?:班)?\s*[:：]", r"敬请(?:谅解|留意|周知)", r"(?:给|带来)[^,.!?，。！？]{0,6}不便",
     # an advertisement: a brand's sale is no fault of ours
     r"大促|促销|特价|直降|打[一二三四五六七八九]折|优惠券|限时(?:特惠|优惠|抢购)|秒杀"],
    [r"^\W*(?:notice|reminder|announcement|fwd?|rappel|annonce|tr)\s*[:\]-]", r"^\W*(?:building (?:management|mgmt)|property management|mall management|management office|la gerance|le syndic)\s*:",
     # a forwarded message as such ("Forwarded message:"); "fwd from front desk: room 1208 …" relays a report
     r"^\W*(?:forwarded|fwd?) (?:message|msg)\s*:", r"^\W*message transfere\s*:",
     # forwarded from an office or the building, not from a colleague: "Fwd from Building Mgmt: lift B …"
     r"^\W*(?:forwarded|fwd?|transfere|tr) (?:from|de|du|de la|de l')\s*(?:the |our |la |le |l')?(?:building|property|mall|centre|center|management|mgmt|hq|head office|council|landlord|syndic|gerance|mairie|direction|siege)[^:\n]{0,24}:",
     r"^\W*\"?(?:dear|chers?|cheres?) (?:customers|guests|clients|visitors|shoppers|residents|tenants)", r"souvenez-vous\s*:", r"^\W*(?:les enfants|kids|everyone|tout le monde)\s*,\s*(?:remember|souvenez-vous|rappel)",
     r"^\W*(?:[a-z]+ )?(?:notice|announcement) from [a-z ]{2,20}:", r"^\W*(?:note|message|info) (?:from|de la|du|de) [a-z ]{2,20}:",
     r"please do not (?:report|log|raise)", r"no need to (?:raise|log|open)(?: a| the| any)? (?:job|ticket)", r"test message", r"please ignore", r"message de test", r"merci de ne pas (?:signaler|declarer)", r"don'?t report (?:it|this|them)",
     r"(?:that'?s|it'?s|is) not a fault",
     r"(?:report|write-?up|summary|log|minutes) (?:on|about|for|of) [^.!?]{0,60}(?:is|'s|are|has been|was) (?:now )?(?:in|on|uploaded to|sent to) (?:the|your|our) (?:drive|shared|folder|email|inbox)",
     r"(?:rapport|compte rendu|bilan) (?:sur|de|du|concernant) [^.!?]{0,60}(?:est|se trouve|a ete (?:mis|depose|envoye)) (?:dans|sur) (?:le|la|votre|notre) (?:drive|dossier|partage|boite)",r"ce n'est pas une panne",
     r"not a (?:repair |service )?(?:ticket|job|request)", r"pas (?:un|une) (?:ticket|demande|intervention)(?![a-z])",
     r"\d+\s*% off", r"nothing (?:we|anyone|you) can do", r"(?:power|electricity|water|gas) (?:company|board|utility) (?:says|said)", r"^\W*handover\s*[:\-]", r"(?:flash|year-end|summer|winter|clearance|black friday) sale", r"sale (?:is )?on\b", r"(?:promo|discount) code", r"link in (?:bio|the group)",
     r"soldes\s*(?:[:!]|d'hiver|d'ete|commencent|jusqu|-\s*\d|\d)|(?:debut|fin|lancement) des soldes|(?:c'est|ce sont) les soldes", r"\d+\s*% de (?:reduction|remise)", r"code promo"],
    [r"^\W*ประกาศ", r"การไฟฟ้า[^\s]{0,12}(?:จะ)?ดับไฟ", r"ดับไฟ(?:เพื่อ)?ซ่อมบำรุง", r"^\W*ส่งต่อ\s*[:：]", r"^\W*ส่งต่อจาก(?:ห้าง|นิติ|สำนักงาน|ประกาศ)", r"รายงาน[^\n]{0,50}ส่ง[^\s]{0,6}(?:อีเมล|เมล|ไลน์|กลุ่ม|ไดรฟ์)[^\s]{0,6}แล้ว", r"แจ้งให้ทราบ", r"แจ้งเพื่อทราบ", r"ลดราคา", r"โปรโมชั่น", r"ลด\s*\d+\s*%"],
)

# The problem is over: "空调终于不响了", "working again". Cancels a symptom unless it came back.
RESOLVED = build(
    [r"终于(?:不|没|好|能|可以)",
     # fixed by the store itself: "上周我们自己把水龙头换了，没叫师傅"
     r"(?:我们|我|咱们)自己(?:把[^,.!?，。！？]{0,8})?(?:换|修好|弄好|搞好|处理好|搞定)了", r"(?<![还都也])没(?:有)?(?:叫|找|请)(?:师傅|人|维修)(?![^,.!?，。！？]{0,6}(?:呢|吗|帮|派|来))",
     # a heading that says it is over: "【已解决】徐汇店监控离线…"
     r"^\W*[\[【(（]\s*已?(?:解决|修复|恢复|处理|完成|搞定|关闭|结案)\s*[\]】)）]",
     # a false alarm: "我还以为天花板漏水，结果是客人打翻了水桶"; "…，没事"
     r"(?:我|还|本来)以为[^。！？!?]{0,24}(?:结果|原来)", r"(?:^|[,，])\s*(?:都|也)?没事(?:的|啦|哈)?\s*(?:[。!！~～]|$)",
     # a fault at this time of a past year: "去年这时候冷库坏了整整一个星期"
     r"(?:去年|前年|上次|以前)(?:的)?(?:这|那)(?:个)?(?:时候|会儿)[^。！？!?]{0,12}(?:坏|漏|堵|停)",
     # "问一下，没坏": said outright that nothing is broken
     r"(?:^|[,，。;；\s])(?:其实|也|并|都)?没(?:有)?坏(?:[,，。!！;；\s]|$)", r"(?:已经|现在|又)?(?:好了|恢复(?:正常)?了|没(?:有)?事了|正常了)(?!吗|没|么)", r"一切正常", r"自己好了",
     r"(?:已经|上次|之前)(?:被)?(?:修|处理|解决)(?:好|完)", r"修好了(?!吗|没|么)",
     # a fault in the past, since dealt with: "去年夏天空调坏过一次，后来换了新的"
     r"后来(?:就)?(?:好了|修好|换了|没事|正常|解决)", r"(?:已经|早就|早已)(?:换(?:了|成)|修好|好了|搞定|处理好|解决)",
     r"(?:去年|上次|以前|之前|前年|很久以前)[^,.!?，。！？]{0,8}(?:坏|漏|堵|出问题|出故障)过",
     r"(?:坏|漏|堵|停|断|出问题|出故障|修)(?:了)?(?:的)?那(?:次|回)",
     r"(?:上次|去年|之前|以前|前年|上个月|上周)[^,.!?，。！？]{0,10}那(?:次|回)",
     # "师傅整好咗 依家冇再滴水啦": fixed, and it has not come back
     r"(?:没|冇)(?:有)?再(?:漏|滴|响|坏|跳|堵|出问题|出过问题)", r"(?:上个?(?:礼拜|星期|周|月)|前几天|昨天)[^,.!?，。！？]{0,8}[修整弄搞]好了"],
    [r"working (?:again|now|fine)", r"(?:all|everything)(?: is| looks| reads?)? (?:normal|within range|in range)(?![a-z])", r"works (?:again|now)", r"(?:running|going|turning|spinning|cooling|heating|moving) (?:again|normally)", r"(?:all|fully|finally|properly) sorted", r"sorted now", r"(?:got|been|was|were) sorted(?! out by| yet)", r"all good now", r"^\W*[\[(]\s*(?:resolved|fixed|closed|solved|resolu|regle|ferme)\s*[\])]",
     # reminiscing: "remember last Christmas when the lift broke down…"
     r"^\W*(?:do you |you )?remember (?:when|last|that time|the time)", r"^\W*(?:tu te souviens|vous vous souvenez|souvenez-vous) (?:quand|de)", r"fixed itself", r"is back", r"back to normal", r"came back (?:on )?by itself", r"tout est revenu", r"(?:est|sont) revenue?s? (?:tout seul|d'elle-meme|d'eux-memes)",
     r"(?:is|'s|are|seems?) (?:fine|ok|okay|good) now", r"used to (?:leak|break|trip|be broken)",
     r"marche (?:a nouveau|de nouveau)", r"remarche", r"tout (?:fonctionne|marche|va bien)(?! pas| plus| mal)", r"fonctionne (?:a nouveau|de nouveau)", r"c'est reparti",
     r"refonctionne", r"plus aucun (?:souci|probleme)", r"has(?:n'?t| not) come back", r"fix(?:es)? (?:has )?held",
     r"no (?:more )?(?:leaks?|problems?|issues?) since", r"hope (?:it|the fix|this time it) (?:holds|lasts)", r"l'a (?:reglee?|reparee?)", r"(?:est|sont) (?:bien )?(?:reparee?s?|reglee?s?|resolue?s?)(?! \?)(?![a-z])", r"c'est regle", r"(?:tout|ca|ça) roule", r"c'est (?:repare|arrange)(?! \?)", r"(?:^|[,.;:!—–-]\s*)plus rien depuis", r"(?:a|ont) ete (?:reglee?|reparee?)s?"],
    [r"หายแล้ว", r"ใช้ได้แล้ว", r"^\W*[\[(]\s*(?:แก้ไขแล้ว|เรียบร้อยแล้ว|ปิดงาน)\s*[\])]", r"ตอนนี้ใช้ได้(?:ปกติ)?แล้ว", r"(?:ตอนนี้)?กลับมาแล้ว", r"ไม่ต้องทำอะไร", r"(?:แก้|แก้ไข|ซ่อม)[^\s]{0,4}เรียบร้อยแล้ว", r"(?<!ยัง)(?:แล้วก็|แล้ว|ก็)ใช้ได้ปกติ", r"กลับมาใช้ได้", r"ซ่อมเสร็จ(?:เรียบร้อย)?แล้ว", r"กลับมา(?:เอง|ปกติ)", r"ไม่เป็นไรแล้ว", r"แห้งแล้ว", r"ไม่มีปัญหาอีก", r"ไม่(?:รั่ว|หยด|ค้าง|ดับ)แล้ว"],
)
# Someone else's fault, one at home, a case study, a camera's evidence, a house rule, a "what
# if": a fault word that is not a report for this store. A feature the model weighs (nlu/model.py),
# not a verdict: "隔壁的水漏到我们店里了" is still a report.
ELSEWHERE = build(
    [r"隔壁(?!我们|咱们)", r"隔(?:篱|离)(?:铺|舖|间|屋|店)", r"好彩(?:不|唔)(?:是|系)", r"(?:不|唔)(?:是|系)我(?:们|哋)(?:的|嘅)", r"楼上(?:那家|的店|那个店)", r"楼下那家", r"对面(?:那家|的店)", r"别(?:的|家)(?:店|门店)", r"其他(?:门)?店", r"(?<!不是)商场的",
     r"物业的", r"邻居(?![^,.!?，。！？]{0,5}投诉)", r"我家", r"家里", r"在家", r"老家", r"小区", r"培训", r"案例", r"举个例子", r"比如说", r"假如", r"万一",
     r"要是", r"监控(?:录像|画面|回放)?(?:里|上)?(?:显示|拍到|看到)", r"(?:调|查|看)了?监控", r"记得", r"别忘了", r"禁止",
     r"跟我们(?:店)?没(?:有)?关系", r"还好(?:我们|咱们)(?:店|这边|这里)?(?:没有?|不)", r"不关我们(?:的)?事", r"与我们无关", r"我们(?:这边|店里|店)?没事",
     # a dream, a home in Cantonese, a rented flat, public transport, a film or the news
     # (a store at a station or an airport is still ours: "机场店", "人民广场地铁站店")
     r"做梦", r"梦(?:到|见|里)", r"屋企", r"出租屋", r"公寓", r"房东", r"(?:我|我们|我家|室友|同学|他|她|他们|她们|弟|妹|哥|姐|儿子|女儿|孩子)(?:的)?宿舍", r"宿管", r"(?:一直|早就|都)说在修",
     r"(?:地铁|高铁|火车站|机场)(?![^,.!?，。！？\s]{0,5}店)", r"电影(?!院)", r"新闻", r"报道", r"广告", r"(?:她|他)家", r"我妈", r"视频里", r"朋友(?:家|的店)", r"亲戚家",
     r"京东", r"淘宝", r"天猫", r"拼多多", r"扫地机器人", r"(?:舅舅|姑姑|阿姨|叔叔|爸妈|父母|爸爸|妈妈|奶奶|爷爷|外婆|姥姥|岳父|婆婆|女朋友|男朋友|老公|老婆|同学|表哥|表姐)(?:家|那)",
     r"(?:我|我们)?租(?:的|嘅)", r"医院", r"体育馆", r"(?:去的|我的|我去|家附近的?|小区的?|常去的?)健身房", r"学校",
     r"(?:住的|住那|住过的|去的|那家|隔壁|旁边|出差(?:住)?的?|度假(?:住)?的?)酒店(?!店)", r"朋友圈", r"抖音", r"微博",
     r"考试题?", r"题目", r"想象", r"假设", r"脑补", r"开(?:个)?玩笑", r"同行", r"监控截图", r"(?:调|拷|看|翻)(?:一下)?(?:昨天|前天|今天)?[^,.!?，。！？]{0,6}监控",
     # another shop, the building's or the mall's common parts, a public place
     r"(?:旁边|对面|对门|楼上|楼下|隔离|二楼|三楼)(?:那|的)?(?:家|间)", r"(?:楼上|楼下|隔壁|对门)那户", r"对面[^,.!?，。！？\s]{1,6}的", r"竞品", r"商场(?:公共|中庭|走廊|停车场)",
     r"写字楼", r"港铁", r"银行", r"公园",
     # a camera's evidence, a rule, a drill, a joke or a post
     r"(?:摄像头|监控|录像)(?:回放|记录|画面)?(?:显示|里(?:能)?看|上看|影到)", r"(?:调|看|查)了?(?:一下)?(?:录像|摄像头)", r"规定", r"务必", r"统一(?:设|调|开|关)",
     r"复盘", r"练习(?:题|册|卷)", r"(?:写|做|交|抄|布置)(?:完)?作业|作业本|家庭作业", r"sop", r"段子", r"小红书", r"电视剧", r"表情包", r"纪录片", r"梗图?",
     # a house rule, not "如果今天修不好我们就要关门了"
     r"如果(?![^,.!?，。！？]{0,6}(?:修不好|不来|不修|还不|还是))[^,.!?，。！？]{0,12}(?:就|先|要|请|记得)",
     # how to report next time, a road outside, a question of what would happen
     r"以后[^,.!?，。！？]{0,8}(?:坏|出问题|有问题|故障|漏水|停电)", r"大家记(?:住|一下|好)", r"下次再(?:坏|有|出)",
     r"朋友(?:的|嘅)[^,.!?，。！？\s]{0,5}(?:店|餐厅|饭店|馆|铺|舖)", r"红绿灯", r"路口", r"上班路上", r"路上看到", r"井盖", r"示例", r"按这个格式",
     # a simile about oneself: "我的心就像这台收银机 卡住了" (not "响得像拖拉机一样", a real noise)
     r"(?:我的心|我心|心情|脑子|脑袋|人生|生活|我这个人|我就|脾气|性格|自己)(?:就|也)?(?:像|跟|好像)",
     # Cantonese "嗰間" (that shop over there), "their boss"
     r"(?:嗰|𠮶)(?:间|家)", r"他们(?:的)?老板", r"不能离人", r"(?:必须|要|得)有人(?:看着|守着|在)",
     # a metaphor, a place the writer ate or shopped at, a video
     r"脑子(?:跳闸|短路|死机|宕机|坏了|卡了)", r"心态崩", r"(?:吃|逛|去)的那家", r"再也不去了", r"刷到(?:个|一个|了)?(?:视频|帖子|新闻)", r"(?<!漫到)(?<!流到)(?<!冲到)(?<!淌到)(?<!堵到)(?<!排到)马路(?:上|边|对面)", r"高架", r"堵车", r"会怎么样", r"会发生什么",
     r"兄弟(?:门店|店|公司|单位)", r"大家都没事吧", r"(?:楼上|楼下|隔壁|对面|旁边)(?:的|那家|那个)?[\u4e00-\u9fff]{1,4}店(?!里|长|员)", r"(?:他们|她们|人家)自己(?:的)?(?:门口|店里?|那边|家)", r"希望大家(?:都)?(?:平安|没事)",
     # a supplier's fault they are fixing themselves: "是 vendor 那边 server 的问题，他们在 fix 了，不用报"
     r"不用报(?:修)?(?![吗嘛么?？])", r"(?:vendor|供应商|厂家|厂商|第三方)\s*(?:那边|那头)?[^,.!?，。！？]{0,10}的问题"],
    [r"next door", r"neighbou?rs?'?s?", r"no need to (?:log|report|raise|open)", r"(?:vendor|supplier)'?s? (?:side|problem|issue|end)",
     # another site's bad night, told with good wishes: "hope everyone there is safe"
     r"sister (?:branch|store|site|shop|outlet|company|hotel)", r"hope (?:everyone|everybody|all|the team|you all|they)(?: there| over there)? (?:is|are|stays?|keeps?) (?:safe|ok|okay|alright|well)",
     r"j'espere que (?:tout le monde|toute l'equipe|vous allez|ils vont) (?:va )?bien", r"(?:story|article|post|video|piece) (?:about|from|on|of) ", r"newsletter", r"not our (?:problem|issue|fault|store|shop)", r"pas (?:notre|mon) probleme", r"(?<!not )the mall'?s", r"the building'?s", r"landlord'?s?", r"other (?:stores?|shops?|branch(?:es)?)",
     r"at home", r"my (?:house|flat|place|apartment|car)", r"ma (?:voiture|bagnole|moto)", r"mon (?:scooter|velo)", r"training", r"for example", r"case study", r"imagine", r"what if",
     r"(?:cctv|camera|footage) (?:shows|showed)", r"on the (?:cctv|camera|footage)", r"remember to", r"don'?t forget",
     r"please don'?t", r"stop using", r"not our(?:s| problem)", r"no problem for us", r"nothing to do with us", r"glad ours",
     r"a cote", r"chez moi", r"a la maison", r"formation", r"exemple", r"imaginez", r"et si", r"d'apres la camera",
     r"n'oubliez pas", r"pas (?:chez )?nous",
     r"dream\w*", r"(?:my|his|her|their) (?:mum|mom|mother|dad|father|sister|brother|friend|parents|neighbou?r)'?s?",
     r"(?:subway|metro|tube station|train station|(?:bts|mrt|mtr) station|airport)(?! (?:store|shop|branch|outlet))", r"in the (?:movie|film|news)",
     r"in case", r"if (?:the|a|an|there'?s?) [^.!?]{0,30}(?:ever|again)?[^.!?]{0,10}(?:call|move|switch|turn|unplug|close|restart|reset)",
     r"voisine?s?(?! (?:lui |eux |d'a cote )?(?:il |ils |elle )?(?:a|ont) (?:le courant|de l'electricite|l'eau|internet|du reseau|la lumiere))", r"mon (?:appart\w*|proprio|immeuble|studio)", r"ma (?:soeur|mere|maison|copine|cousine|tante|amie)", r"mon (?:ami|pote|frere|cousin|oncle|pere|copain)(?![a-z])", r"(?:j'ai|on a|un|mon|en) reve",
     r"si jamais", r"en cas de", r"etude de cas", r"aeroport(?! (?:magasin|boutique))", r"(?<!magasin de )(?<!boutique de )la gare(?! (?:magasin|boutique))", r"en gare",
     r"(?:hospital|(?<!music )(?<!driving )(?<!dance )(?<!language )(?<!swimming )(?<!swim )(?<!cooking )(?<!art )school|my (?:rented )?room|rented (?:room|flat))", r"(?:my|his|her|their) (?:gym|hotel(?: room)?|cinema)",
     r"(?:the |a )?hotel (?:i|we|they) (?:stayed|stay|am staying|are staying)", r"(?:at|in) the cinema (?:last|yesterday|on)", r"across the (?:street|road)", r"opposite",
     r"quiz", r"exam", r"article", r"joke", r"kidding", r"suppose", r"should (?:the|a|an) [a-z ]{2,25} (?:go|fail|break|stop|show|trip)",
     r"cctv (?:confirms|showed|shows)", r"the (?:guy|tech|technician|engineer) (?:who came|from)",
     r"hopital", r"salle de sport", r"(?<!auto-)(?<!auto )ecole(?! de (?:musique|danse|conduite|langues?))", r"film", r"beaux-parents", r"(?:mes|mon|ma) (?:parents|pere|frere|cousin|oncle|tante)",
     r"on voit sur les images", r"(?:les |la )?(?:images?|videos?) (?:de |du )(?:la )?camera", r"question \d", r"consigne",
     r"beside us", r"next to us", r"(?:the \w+ )?upstairs (?:has|had|is|lost)", r"across the hall", r"office lobby", r"other brand'?s?",
     r"camera (?:caught|footage)", r"on the recording", r"security cam\w* (?:shows|showed|caught)", r"watched the tape", r"new rule", r"what would we",
     r"slide \d+", r"scenario", r"role-?play", r"lessons learned", r"sample answer", r"if someone", r"tiktok", r"the memes? (?:about|on)",
     r"joking", r"netflix", r"newsletter", r"story (?:from|about)", r"made it (?:into|onto)", r"7-?eleven", r"seven eleven", r"family ?mart", r"lawson", r"(?:had|have|having) a nightmare", r"nightmare (?:last night|about)", r"daydream\w*", r"condo'?s?", r"news", r"food court", r"reportage",
     r"si (?:la |le |les |l'|un |une |jamais )[^.!?]{0,60}(?:appelez|prevenez|contactez|mettez|debranchez|coupez)",
     r"d'en face", r"du dessus", r"concurrente?", r"ma residence", r"ma chambre", r"syndic", r"ligne \d+",
     r"videosurveillance", r"la video", r"l'enregistrement", r"la camera a filme", r"rappel important", r"si quelqu'un",
     r"au cas ou", r"exercice", r"retour d'experience", r"pour le test", r"je rigole", r"blague", r"(?:fait|faisais) (?:un )?cauchemar",
     r"would happen if", r"just curious", r"e\.g\.", r"good report", r"looks like\s*:", r"while (?:i was )?shopping",
     r"example", r"new starters?", r"(?:my|his|her|their|our) (?:uncle|aunt|auntie|cousin|grandma|grandpa|in-laws?|brother-in-law|sister-in-law|boyfriend|girlfriend|wife|husband)'?s?",
     r"brain (?:short-circuited|fried|crashed|is broken)", r"(?:my|his|her) (?:brain|heart|life|mood|love life)[^.!?]{0,25}(?:is|'s) like",
     r"(?:like|comme) (?:my|mon|ma) ex", r"(?:ma vie|mon coeur|mon cerveau|mon moral)[^.!?]{0,25}comme", r"une vraie (?:machine|machine a cafe|frigo|clim)", r"(?:est|c'est|sont) comme (?:la|le|les|une?|mon|ma|notre)", r"(?:mon|ma|mes) (?:oncle|tante|cousine?|beau-frere|belle-soeur|grand-mere|grand-pere)",
     r"(?:faisais|faire|fais|faisant) (?:mes|les|des) courses", r"hypothetically", r"traffic lights?", r"next time (?:the|it|something|anything)",
     r"que faire (?:si|en cas)", r"si un jour", r"du centre commercial", r"(?:la securite|le centre|le gardien|le syndic|la mairie) s'en occupe",
     r"feux? (?:rouges?|de circulation)", r"bouchons?", r"la prochaine fois"],
    [r"ร้านข้างๆ", r"สาขาพี่น้อง", r"ขอให้ทุกคนปลอดภัย", r"ข้างๆ", r"ตึกฝั่งตรงข้าม", r"ที่บ้าน", r"บ้านฉัน", r"ตัวอย่าง", r"อบรม", r"สมมติ", r"ดูจากกล้อง", r"อย่าลืม",
     r"ห้าม", r"ไม่เกี่ยวกับเรา", r"ของเราไม่เป็นไร",
     r"ฝัน", r"คอนโด", r"(?:หอพัก|ห้อง)(?:ของ)?(?:ฉัน|หนู|ผม|เรา)", r"(?<!สาขา)(?:สถานี|(?<![a-z])(?:bts|mrt)(?![a-z])|รถไฟฟ้า|สนามบิน)", r"กรณีศึกษา", r"ในหนัง", r"ข่าว",
     r"กล้อง(?:วงจรปิด)?จับภาพ(?:ได้)?", r"ถ้า[^\n]{0,30}ให้",
     r"โรงพยาบาล", r"ฟิตเนสที่(?:ไป|เล่น)", r"โรงเรียน", r"โรงแรมที่(?:ไป)?พัก", r"ห้องเช่า", r"ห้องพัก(?!พนักงาน)", r"ตรงข้าม", r"แบรนด์อื่น",
     r"คำถามข้อ", r"ข้อสอบ", r"ล้อเล่น", r"ย้อนดูกล้อง", r"ภาพจากกล้อง", r"บ้าน(?:แม่|พ่อ|ยาย|ย่า|ตา|เพื่อน|ญาติ)",
     r"ชั้นบน", r"(?<!สาขา)ในห้าง", r"ของห้าง", r"ตึกออฟฟิศ", r"ดูกล้อง", r"จากกล้อง", r"ในคลิป", r"กรณีมี", r"แบบฝึกหัด", r"บทเรียน",
     r"ติ๊กต๊อก", r"มีม", r"มุก", r"ลองนึกภาพ", r"จะเกิดอะไรขึ้น", r"ไฟแดง", r"รถติด", r"ครั้งหน้าถ้า",
     r"ซอยบ้าน", r"หน้าบ้าน", r"ขอเข้างานสาย", r"(?:ชีวิต|ใจ|หัวใจ|สมอง)[^\s]{0,12}เหมือน", r"รู้สึก(?:ตัวเอง)?เหมือน(?:เป็น)?", r"ไปกิน", r"เซเว่น", r"ร้านสะดวกซื้อ", r"ร้าน(?:ของ)?(?:น้า|ป้า|ลุง|อา|พี่สาว|พี่ชาย|เพื่อน|ญาติ|แฟน)", r"บอท(?:ตอบ)?มั่ว"],
)
# A message that opens with a what-if ("万一停电…", "si jamais il y a une coupure…") tells what to do,
# it reports nothing.
# Asking for a different setting is not a fault: "调高两度吧", "turn the AC down a notch", "montez la clim".
COMFORT = build([r"(?:调|开|设|打)(?:高|低|大|小)(?:一点|一些|点|[一两二三四五\d]度)", r"(?:温度|冷气|空调|暖气)(?:再)?(?:调|开)(?:高|低|大|小)"],
                [r"(?:turn|put|set|bump|crank) (?:the )?(?:ac|aircon|air con|heating|heat|music|volume|thermostat|temperature)[a-z ]{0,12} (?:up|down)",
                 r"turn (?:it|that) (?:up|down)(?: a (?:bit|notch|little|touch))?",
                 r"(?:monter|baisser|augmenter|descendre|remonter) (?:un peu )?(?:la |le )?(?:clim\w*|chauffage|temperature|musique|thermostat)"],
                [r"ปรับ(?:แอร์|อุณหภูมิ)?(?:ขึ้น|ลง)", r"(?:เพิ่ม|ลด)(?:อุณหภูมิ|แอร์)"])
# "ถ้าไฟดับตอนกลางคืน ห้องเย็นจะเก็บความเย็นได้กี่ชั่วโมง": an "if" that ends in a question is a
# question about what would happen, not a report of what has.
HYPOTHETICAL = build([r"^\W*(?:万一|假如|假设|假使|倘若)", r"^\W*(?:如果|要是)[^。！!]{2,40}(?:怎么办|多久|多长时间|几个?小时|能撑|要不要|会不会|该怎么|咋办)"],
                     [r"^\W*(?:si jamais|en cas de|au cas ou|in case|what if|hypothetically|if ever|what (?:happens|do we do|should we do|would happen) if|que se passe-t-il si|qu'est-ce qu'on fait si)",
                      r"^\W*if (?:the|a|an|our|my) [a-z -]{2,25} (?:ever|were to|should)",
                      r"^\W*if [^.!]{2,50}, (?:how long|what (?:should|do) we|should we|do we|who do)[^.!]*\?"],
                     [r"^\W*(?:สมมติ|หากเกิด|กรณีที่)", r"^\W*(?:ถ้า|หาก)[^\n]{2,60}(?:กี่(?:ชั่วโมง|ชม|นาที|วัน)|ได้นานแค่ไหน|นานไหม|ทำยังไง|ต้องทำอย่างไร|ควรทำ)"])
RELAPSE = build([r"又(?!好了|正常了|恢复了|可以了|能用了|通了)", r"还是", r"仍然", r"依然", r"再次", r"再坏"], [r"again", r"still", r"encore", r"toujours"],
                [r"อีกแล้ว", r"อีกครั้ง"])

# "快来" asks someone to come, and quickly (a request and urgent); "大家快来看", "快来拿" call the
# group over.
_COME_QUICK = r"(?<!大家)(?<!你们)快来(?!瞧|围观|玩|吃|拿|领|抢|合影|拍照|看(?!看|下|一下))"

# A repair request stands on its own as a report even when no equipment is named.
REQUEST = build(
    [r"报修", r"保修", r"要修", r"来修", r"帮忙修", r"帮修", r"修一下", r"修下", r"修修", r"需要维修", r"要维修",
     r"申请维修", r"安排维修", r"安排(?:个|一个|位)?(?:人|师傅|工程师)(?:过来|来|上门|去修|来修|修|看看|看一下|看下|处理)", r"安排(?:个|一个|位)?(?:电工|水电工|维修工|师傅)", r"请维修", r"维修一下", r"派(?:个|一个|位)?(?:人|师傅|工程师|电工|水电工|维修工)",
     r"(?<![没别])叫(?:个|一个)?师傅", r"(?<![没别])找(?:个|一个)?师傅", r"来看看", r"来看一下", r"过来看", r"上门", _COME_QUICK, r"来(?:个)?人",
     # a named engineer asked for: "能让王芳来一下吗"
     r"(?:能|可以|麻烦)(?:让|叫|派)[^,.!?，。！？]{1,6}(?:来|过来)(?:一下|一趟|看看|看下)",
     r"过来一下", r"来一趟", r"检查一下", r"看一下", r"报个修", r"帮(?:她|他|我|我们|店里|门店|忙)?报(?:一下|下|个修)", r"开(?:个|一)?(?:工)?单",
     # "这个得赶紧处理一下", "麻烦找个人来弄一下"
     r"(?:得|要|需要|必须|请)(?:赶紧|尽快|马上|赶快|及时)处理", r"(?:赶紧|尽快|马上|赶快)(?:处理|弄|搞)(?:一下|下)?",
     r"找(?:个|一个)?人(?:来|过来)(?:弄|修|看|处理|搞)", r"我(?:来)?报(?:一下|下|个修)"],
    [r"repair", r"fix", r"please fix", r"please check", r"check it", r"have a look", r"take a look", r"inspect", r"need (?:a |an )?(?:repair|technician|tech|engineer|plumber|electrician|repairman|handyman)",
     r"il (?:nous|me) faut un (?:electricien|plombier|technicien|depanneur|reparateur)", r"besoin d'un (?:electricien|plombier|technicien|depanneur|reparateur)",
     r"send (?:an?|someone|somebody)", r"come (?:and )?(?:fix|check|look)",
     r"(?:look at|check on|come look)",
     r"reparer", r"reparation", r"depannage", r"besoin d'un (?:technicien|reparateur|plombier|electricien)",
     r"envoye[rz] un technicien", r"envoye[rz] quelqu'un", r"envoie (?:un technicien|quelqu'un)", r"(?:prevoir|planifier|programmer) une intervention", r"venir reparer", r"open a (?:ticket|job)", r"ouvr(?:ir|ez|e) (?:un|une) (?:ticket|intervention|demande)", r"log (?:this|it|a complaint|a ticket|a job|a call)(?: for (?:them|us|her|him|the same))?", r"raise a (?:ticket|job|complaint)",
     r"(?:can you|could you|pls|please) (?:log|raise|open|create|file) (?:this|it|one|a (?:ticket|job|request))", r"cre(?:er|ez|e) (?:un|une) (?:ticket|demande|intervention|bon)"],
    # ซ่อม is the verb "repair": a request, unless it carries an aspect of work under way or done
    # ("เริ่มซ่อมแล้ว" started, "กำลังซ่อม" repairing, "ซ่อมเสร็จ" finished).
    [r"แจ้งซ่อม", r"ช่วยซ่อม", r"ส่งช่าง", r"ขอช่าง", r"(?:ช่วย|ขอ|รบกวน)เปิด(?:ใบ)?งาน(?:ซ่อม)?", r"(?<!เริ่ม)(?<!กำลัง)(?<!ค่า)(?<!ช่าง)(?<!งาน)(?<!ใบ)ซ่อม(?!เสร็จ|แล้ว|อยู่|เรียบร้อย)"],
)

# Danger to people, wherever it is: smoke, fire, gas, a shock, someone trapped. A story about a
# neighbour's leak is left alone; one about smoke next door is still asked about (nlu/parse.py).
_PEOPLE_STUCK = (r"(?:someone|somebody|anyone|people|persons?|customers?|staff|kids?|children|guests?|shoppers?|students?|passengers?|residents?|visitors?|patients?|"
                 r"(?:a|one|two|three|\d+) (?:person|people|customers?|guests?|staff)) (?:is |are |got |get |has been |have been |still )?"
                 r"(?:stuck|trapped|locked) (?:in|inside)")
_PERIL_ZH = [r"冒烟",
             # "打不着火" / "点不着" is a heater that will not ignite, not a fire
             r"(?<![不没])着火", r"起火", r"失火", r"火灾", r"烧焦", r"焦味", r"烧(?:塑料|胶|电线|线)(?:的)?(?:味|味道|气味)", r"火花", r"触电", r"电到人", r"被电", r"被[^,.!?，。！？]{1,4}电(?:了|到|一下)", r"困人",
             r"被困", r"困(?:了|住|咗)?(?:在|喺)", r"困了?[^,.!?，。！？]{0,4}(?:人|顾客|客人|员工|同事|小孩|孩子)", r"关着人", r"人出不来", r"困了人", r"(?:里面|里边|里头)(?:还)?(?:有|关着)人", r"有人在里面",
             r"(?:人|师傅|小哥|顾客|客人|员工|阿姨|小孩|孩子|大爷|老人)[^,.!?，。！？]{0,2}(?:还|都)?(?:在|困在|关在|卡在)(?:电梯|轿厢)?里(?:面|边|头)", r"燃气泄漏", r"煤气", r"漏气", r"(?:燃气|天然气|液化气)(?:的)?(?:味|味道|气味)", r"(?:有人|顾客|客人|员工|同事|小孩)(?:被)?(?:摔倒|摔伤|受伤|砸伤|划伤)", r"摔了?一(?:跤|交)", r"(?:膝盖|头|腿|脚|手|额头)[^,.!?，。！？]{0,3}(?:磕破|摔破|磕伤|流血)", r"差点(?:就)?(?:滑倒|摔倒|摔跤|滑了一跤)",
             r"(?:手|手背|手指|胳膊|脚|脸)[^,.!?，。！？]{0,2}(?:被)?(?:烫(?:伤|红|到|起泡)|划伤|割伤|夹伤|砸伤)", r"(?<!怕)烫伤",
             # a lift door or a shutter closing on someone: "电梯门夹到一个小朋友的手"
             r"夹(?:到|住|伤)了?[^,.!?，。！？]{0,6}(?:手|脚|腿|胳膊|头|人|小孩|孩子|小朋友|顾客|客人|老人)"]
_PERIL_LATIN = [r"smoke", r"smoking", r"fire", r"spark\w*", r"trapped", r"stuck inside", r"people stuck",
                r"(?:someone|somebody|a customer|a child|a kid|an? [a-z]+|(?:the |our |a )?(?:driver|courier|delivery guy|cleaner|guy|lady|kid|child|customer|worker))'s (?:stuck|trapped) in", _PEOPLE_STUCK,
                r"(?:sent|odeur de|odeur) (?:le |la |du )?(?:brule|gaz|fumee)", r"burning", r"gas smell", r"smell of gas",
                r"gas leak", r"electric shock", r"(?:someone|somebody|a customer|customers?|a kid|a child|staff) (?:fell|slipped|got hurt|is hurt|was hurt|got injured|was injured)", r"(?:nearly|almost) (?:slipped|fell|tripped)", r"(?:twisted|sprained|broke|hurt|cut|burned|burnt|injured) (?:her|his|their|my|an?) (?:ankle|wrist|arm|leg|knee|hand|finger|head|back)", r"(?:a failli|a manque de) (?:tomber|glisser)",
                r"(?:quelqu'un|une? cliente?|un enfant|une dame|une femme|un homme|un monsieur|une? employee?|une? serveu(?:r|se)) (?:est tombee?|s'est blessee?|a chute)", r"fumee", r"feu", r"incendie", r"etincelles?", r"coinces",
                r"(?:coincee?s?|bloquee?s?) (?:dans|dedans)"]
_PERIL_TH = [r"(?:มี)?(?:ลูกค้า|คน|พนักงาน|เด็ก|คุณป้า|คุณลุง|ป้า|ลุง|ยาย|ผู้สูงอายุ)(?:หก)?ล้ม", r"ถลอก", r"เลือดออก", r"ประกายไฟ", r"ไฟแลบ", r"ไฟลุก", r"บาดเจ็บ", r"ควัน", r"ไหม้", r"ติดอยู่", r"ติดค้างในลิฟต์", r"ไฟช็อต", r"แก๊สรั่ว", r"กลิ่นแก๊ส", r"คนติด", r"มีคนติด"]
# "quelqu'un est coincé": a person stuck is a peril; a "coincé" drawer is not a hazard of its own.
PERIL = build(_PERIL_ZH, [*_PERIL_LATIN, r"coinces?", r"bloques? (?:dans|dedans)"], _PERIL_TH)

# Hazards make a report urgent by themselves: water where it should not be, and every peril.
HAZARD = build(
    [r"漏水", r"漏电", r"漏了", r"漏液", r"漏油", r"滴水", r"渗水", r"冒水", r"溢水", r"积水", r"水漫", r"淹了",
     r"喷水", r"水喷", r"到处都是水", r"满地(?:都是)?水", r"一地(?:的)?(?:黑|脏|污|臭)?水",
     r"(?:地上|地面|地板|满地|一地|到处)[^,.!?，。！？]{0,3}(?:全|都)(?:是)?(?:污|脏|臭)?水",
     r"糊味", r"短路", r"关人", r"关了人", r"(?:里面|里边|里头)(?:还)?有(?:个|人)[^,.!?，。！？]{0,8}出不来",
     r"(?:里面|里边|里头|入面)(?:还)?有[^,.!?，。！？]{0,6}(?:人|客人|顾客|员工|小孩)[^,.!?，。！？]{0,4}出不(?:到)?来", r"人被关", r"(?:电梯|轿厢|梯|里面|里头|里边)里?关(?:了|着|住)[^,.!?，。！？]{0,6}(?:人|小朋友|小孩|孩子|顾客|客人|老人|员工|学生|师傅|阿姨|小哥)",
     r"爆管", r"水管爆", r"满出来", r"漫出来", r"流到地上", r"(?:一直)?在滴(?!答)", r"拿(?:个)?(?:桶|水桶|盆|盆子|脸盆|盘子|碗)(?:接|在接)", r"(?:水管|管子|管道|接头|接口|软管|进水管|下水管)[^,.!?，。！？]{0,4}裂(?:了|开|缝)", r"管子爆",
     r"爆了", r"溢出", r"漫到", r"漫进", r"爆裂", r"爆(?=\s*(?:$|[!！,，.。]))", r"哗哗", r"一直(?:在)?流水", r"流个不停", r"(?:污水|脏水|臭水)[^,.!?，。！？]{0,6}冒",
     r"(?:管|接口|水管|管子)[^,.!?，。！？]{0,6}露水", r"水浸", r"成地(?:都)?(?:是|系)水?",
     r"卡(?:在|住|了)[^!?！？]{0,16}(?:里面|里边|里头|入面)(?:还)?有[^,.!?，。！？]{0,4}(?:人|会员|客人|顾客|员工|小孩|孩子|老人|同事|学生|病人)", r"水一直(?:在)?滴", r"水[^,.!?，。！？]{0,4}滴(?:落|下)来",
     r"水[^,.!?，。！？]{0,6}(?:往外|往上|往下)(?:冒|涌|喷|流)", r"(?:冒|涌|喷)(?:水)?(?:个不停|停不下来)", r"(?:一直|不停)(?:地)?(?:在)?(?:冲|放|流)水", r"冲水[^,.!?，。！？]{0,4}停不(?:下来|了)", *_PERIL_ZH],
    [r"leak\w*", r"seep\w*", r"drip\w*", r"flood\w*", r"overflow\w*", r"burnt", r"burned smell", r"water all over",
     r"backing up", r"brule", r"(?:got|get|gets|is|are|was|were) stuck in", r"burst",
     r"water (?:is |'s )?(?:coming|pouring|dripping|leaking|running|spilling)", r"shock", r"water everywhere", r"spill\w*",
     r"won'?t stop running", r"can'?t get out", r"(?:a |an |the |two |\d )?(?:resident|guest|customer|kid|child|person|lady|man|woman)s?(?: and (?:her|his|their|a) \w+)? (?:are|is) (?:still )?(?:inside|in there|stuck)", r"with (?:a |an |two |three |\d+ )?[a-z]+(?: [a-z]+)? (?:inside|stuck inside|trapped inside)",
     r"with (?:a |an |our |the |two |three |\d+ )?(?:[a-z]+ ){0,2}(?:guy|man|woman|person|people|customer|staff|worker|kid|child|lady|courier|driver)s?(?: [a-z]+){0,4} (?:still )?inside",
     r"deborde\w*", r"l'eau monte", r"nam (?:yod|yot|rua|rhua|tuam|nong)",
     r"(?:people|someone|somebody|customers?|staff|kids?|students?|passengers?|residents?|visitors?|guests?) (?:stuck |trapped )?inside",
     r"(?:des |les )?(?:clients|gens|personnes|quelqu'un|enfants?) (?:coinces? |bloques? )?dedans",
     r"fuites?", r"fuit", r"fume", r"inondation", r"inonde", r"bloques", r"avec (?:une?|des|deux|trois) \w+(?: \w+)? dedans",
     r"deborde", r"(?:de l'|l')eau (?:qui )?(?:coule|tombe|fuit|rentre|goutte|ruisselle)", r"ruissel\w*", r"(?:on a |j'ai )?mis un seau", *_PERIL_LATIN],
    # ช็อต is a shock, but "ช็อตออกมา" is an espresso shot coming out
    [r"รั่ว", r"น้ำหยด", r"หยดน้ำ", r"(?<!ไม่)(?<!ไม่ได้)ล้น", r"น้ำไหลตลอด", r"น้ำไหลไม่(?:หยุด|ยอมหยุด)", r"นองพื้น", r"ช็อต(?!ออก|กาแฟ)", r"น้ำท่วม", r"น้ำเอ่อ", r"น้ำขัง", r"น้ำพุ่ง", r"ท่อ(?:น้ำ)?(?:[^\s]{0,20})?แตก", *_PERIL_TH],
)


URGENT = build(
    [r"急", r"加急", r"马上", r"立刻", r"立即", r"赶紧", r"赶快", r"尽快", r"火速", r"快点", _COME_QUICK, r"速来", r"救命",
     r"刻不容缓", r"(?:紧急程度|紧急度|优先级)\s*[:：]?\s*(?:高|紧急|特急|非常紧急)", r"等不了", r"越快越好",
     r"(?:肉|菜|海鲜|鱼|虾|奶|货|东西|食材|雪糕|冰淇淋|蛋糕|冻品|冷冻品|鲜品|果盘|水果|月饼|礼盒|巧克力|奶酪|腊肉|香肠)[^,.!?，。！？]{0,6}(?:要|快|开始|很快|好快)(?:就|会|要|遭|被){0,2}变?(?:冻|捂|热|放)?(?:坏|化|融|溶|臭|变质|软|塌)",
     # "里面全是冻货", Cantonese "入面啲海鲜"
     r"(?:里面|里头|里边|入面|屋头)(?:全|都|全部)?(?:都)?是[^,.!?，。！？]{0,8}(?:冻货|冻品|海鲜|肉|食材|雪糕|冰淇淋|鲜奶|牛奶|酸奶|三明治|芝士|蛋糕|甜品|乳制品)", r"快撑不住", r"(?:三文鱼|鱼|肉|海鲜|冻品|食材|货|奶|蛋糕)[^,.!?，。！？]{0,4}放不住",
     r"(?:里面|里头|里边|屋头)[^,.!?，。！？]{0,3}(?:几百|上百|好几百|几千|\d+)\s*(?:斤|公斤|箱|kg)", r"一整车(?:的)?[^,.!?，。！？]{0,4}(?:冻|鲜|肉|海鲜|虾|货|奶)",
     # "里面一堆牛排和海鲜", "入面成箱烧鹅", "里头全是冻饺子", "里面放着月子汤和鸡"
     r"(?:里面|里头|里边|入面)(?:还)?(?:有|放着|都是|全是|是)?(?:一堆|一整批|一批|好多|很多|满满|成箱|几箱|全是|都是)?[^,.!?，。！？]{0,8}(?:肉|海鲜|奶|冻品|冻货|食材|蛋糕|饺子|汤圆|牛排|烧鹅|叉烧|鸡|鸭|鱼|虾|汤|雪糕|冰淇淋|甜品|芝士|速冻)(?![^,.!?，。！？]{0,2}(?:店|馆))",
     # someone hurt, smoke out of a socket; smoke, sparks and someone shut in said other ways
     # ("冒了股烟", "冒火星子", "电线在打火", "里面有个保洁阿姨"): these set urgency and nothing else
     r"冒(?:了|出)?(?:一)?(?:股|阵|缕)(?:黑|白|青)?烟", r"(?:整间|满屋|一屋子|整个房间)(?:都是|全是)?烟", r"火星(?:子)?", r"(?<![不没])打火(?!机)",
     r"(?:里面|里边|里头|入面)(?:还)?有(?:个|位|两个|一个)?(?:阿姨|大爷|保洁|师傅|小哥|保安)",
     r"(?:擦伤|摔伤|受伤|流血|割伤|划伤|烫伤|骨折|刮伤|夹伤|扭伤|磕伤)",
     # a hand caught in a door, water over the whole floor: "手卡在自动门缝里", "一开水龙头就漏一地"
     r"(?:手|手指|脚|胳膊|头)[^,.!?，。！？]{0,2}(?:被)?(?:卡|夹)(?:在|住)", r"漏(?:了)?(?:一|满)地",
     # medicine that must stay cold: "里面放着胰岛素和疫苗"
     r"疫苗|胰岛素|生物制品|血液制品|(?:药品|药物|针剂)[^,.!?，。！？]{0,4}(?:都)?在里(?:面|头)", r"冒(?:了)?(?:一股|一阵)?(?:烟|黑烟|白烟|火花)", r"搞快点",
     r"要报废", r"(?:全|都|就全)(?:得|要)扔", r"这个要快|要快点|得快点",
     # live seafood dying, people shut in said other ways, a leak the towels cannot hold
     r"(?:龙虾|鱼|虾|蟹|活鲜|海鲜|鲍鱼|生蚝)[^,.!?，。！？]{0,4}(?:扛不住|撑不住|顶不住|快死|死了|不行了)", r"翻了(?:好几|几|\d+)条",
     r"(?:玩家|客人|顾客|小孩|孩子|小朋友|有人)(?:都|还)?出不来", r"(?:关|困)(?:了|着)(?:几|好几|一|两|\d+)个人",
     r"(?:毛巾|抹布|拖把)[^,.!?，。！？]{0,6}(?:都)?湿透", r"一直(?:在)?漏(?![电风气])", r"(?:好大|很大|老大)一滩|一大滩",
     r"东西(?:都|全)(?:软了|化了|化掉了)",
     r"(?:冷柜|冰柜|冷库|冻库|冰箱|雪柜)里(?:面)?(?:还)?(?:有)?(?:一堆|一整批|一批|好多|很多|满满|全是)",
     r"里(?:面|头)(?:还)?有(?:一整批|一批|一堆|好多|很多)[^,.!?，。！？]{0,6}(?:海鲜|肉|奶|冻品|食材|货|蛋糕)",
     r"(?:牛奶|奶|肉|海鲜|食材|蛋糕)[^,.!?，。！？]{0,4}(?:就快|快)(?:不|唔)得",
     # a cold store's temperature alarm, or the value of what is inside: "速冻库温度报警", "里面货值几十万"
     r"(?:冷库|冻库|速冻库|冷冻库|冷柜|冰柜|展示柜)[^,.!?，。！？]{0,4}(?:温度)?(?:报警|告警|超温)", r"货值",
     # the food will not hold out (not "周末人多顶不住", the staff will not cope)
     r"(?:肉|货|东西|海鲜|食材|奶|冻品|菜|蛋糕|叉烧|烧鹅|烧腊|卤味|熟食)[^,.!?，。！？]{0,4}(?:撑|顶)不(?:了多久|住|顺)", r"快(?:派|叫|找)(?:人|师傅)",
     # what is inside is today's stock: "里面是今天要卖的叉烧"
     r"(?:里面|里头|里边)(?:是|放着|都是|全是)[^,.!?，。！？]{0,6}(?:要卖的|待售|今天的货)", r"(?:蔓延|漫|渗|流)(?:到|进)(?:了)?(?:房间|客房|店里|隔壁|走廊)",
     r"(?:海鲜|冻品|冻货|鲜肉|肉|食材|鲜奶|牛奶|蛋糕|货)[^,.!?，。！？]{0,4}(?:都)?在里(?:面|头|边)", r"入面(?:些|的)?(?:海鲜|冻品|冻货|肉|食材)",
     r"(?:再不来|再不修)[^,.!?，。！？]{0,8}(?:报废|废|坏|臭|完了|扔)",
     r"(?:冻品|冻货|冷冻品|冻肉|冰淇淋|雪糕|酸奶|海鲜|鲜奶|牛奶|芝士|奶酪|黄油)[^,.!?，。！？]{0,4}(?:都|全|全部)?(?:软了|化了|融了|变软|温了|暖了|是温的|溶|融|化晒|软晒|暖晒|热晒|温晒)",
     # "里面一百多盒哈根达斯在化": the stock melting as they write
     r"(?:冰淇淋|雪糕|哈根达斯|冻品|冻货|冰棍|冰棒)[^,.!?，。！？]{0,10}(?:在|正在|开始)(?:化|融|溶|变软)",
     r"(?:得|要|只能|就得)(?:全部)?下架", 
     # soft cakes, stock already binned: "蛋糕都软塌了", "奶油和芝士已经扔了一批"
     r"(?:蛋糕|奶油|慕斯|甜品|芝士|奶酪|冰淇淋|雪糕)[^,.!?，。！？]{0,4}(?:都|全|全部)?(?:软塌|塌了|塌掉|塌下来|变形了)",
     r"(?:已经)?(?:扔|丢|倒)(?:了|掉了?)(?:一批|一些|好多|不少|一部分|一大批|一堆|几箱|几盒)",
     # the food itself already at a temperature: "里面的酸奶已经10度了"
     r"(?:冻品|冻货|冻肉|冰淇淋|雪糕|酸奶|牛奶|鲜奶|海鲜|肉|蛋糕|食材)[^,.!?，。！？]{0,4}(?:已经|都)?(?:到了?|是)?\d+\s*(?:度|℃|°)",
     # the lights out with customers already in the store
     r"(?:停电|断电|没电|全黑|黑乎乎|黑漆漆)[^!?！？]{0,24}(?:客人|顾客)[^,.!?，。！？]{0,4}(?:已经|还|都)?(?:进来|在里面|在店里|在店)",
     r"(?:客人|顾客)[^,.!?，。！？]{0,6}(?:已经|还)?(?:进来|在里面|在店里)[^!?！？]{0,16}(?:停电|断电|全黑|黑了)",
     r"(?:停电|断电|全黑)[^!?！？]{0,12}(?:里面|店里)(?:还)?有[^,.!?，。！？]{0,6}(?:客人|顾客)"],
    [r"urgent", r"urgently", r"asap", r"emergency", r"bleed(?:s|ing)?", r"saigne\w*",
     # a cold unit warming with the stock in it: "at 12°C and climbing, full of mangosteens"
     r"\d+\s*(?:°\s*c?|degrees?)\s+and (?:climbing|rising)", r"full of (?:[a-z]+ ){0,3}(?:turkeys?|hams?|durians?|mangosteens?|fruit|mooncakes?|chocolates?|pork|poultry)",
     r"(?:volailles?|dindes?|ganaches?|chocolats?|insulines?)[^.!?]{0,20}(?:dedans|fondent|fond)(?![a-z])",
     r"(?:yaourts?|fromages?|lait|viandes?|volailles?)[^.!?]{0,24}(?:sont|est) (?:deja )?a \d+\s*°",
     r"(?:finger|hand|foot|arm|doigt|main)s? (?:got |is |was |are )?(?:caught|stuck|trapped|coince\w*) (?:in|dans)", r"(?:stock|food|fish|seafood|goods|produce)(?:'s| is| are)? at risk",
     r"(?:fish|lobsters?|prawns|crabs?|oysters)[^.!?]{0,12}(?:dying|dead|won't last)", r"(?:giv(?:es|ing)|gave) (?:me |us |people |staff )?(?:an? )?(?:electric )?shocks?",
     r"commencen?t? a sentir", r"(?:va|vont) s'abimer", r"immediately", r"right now", r"right away", r"quickly",
     r"hurry", r"urgence", r"urgente", r"vite", r"au secours", r"a l'aide", r"immediatement", r"tout de suite", r"au plus vite", r"rapidement",
     r"(?:going|about) to (?:spoil|go off)", r"spoiling", r"vont y passer", r"vont (?:pourrir|se perdre)",
     r"(?:commencent|commence) a (?:fondre|decongeler)", r"(?:glaces?|surgeles|viandes?|poissons?|produits|yaourts?|desserts?)[^.!?,]{0,10} (?:fondent|fond|decongelent|degelent|tournent)", r"(?:va|vont) tourner", r"full (?:\w+ )?(?:delivery|load)(?: of \w+)? (?:in|inside|on it|on there)",
     r"(?:starting|beginning|about|going) to (?:thaw|melt|defrost|spoil|go off)", r"va y passer",
     r"lose the lot", r"coule (?:par (?:en )?dessous|partout|par terre|sur le sol)", r"vaccines?|insulin|vaccins?|insuline|(?:medicines?|medication|drugs|medicaments?)[^.!?]{0,12}(?:inside|in there|in it|dedans)",
     r"(?:got|has|have) (?:a )?(?:cut|cuts|gash|bruise)(?! off)", r"all (?:the|our) (?:fresh )?(?:cream|milk|dairy|meat|fish|seafood|cakes?|stock|produce|ice cream)[a-z ]{0,10} (?:inside|in there|in it)", r"(?:whole|entire|all the|everyone'?s) [a-z' ]{0,30}(?:order|stock|lunch(?:es)?|food|meat|fish|turkeys?|delivery|produce) (?:is|are) (?:in there|inside)", r"(?:go|wan|will) (?:soon )?spoil", r"(?:va|vont) se gater", r"(?:ca|ça) goutte", r"(?:spreading|seeping|running) (?:into|to|across|through) (?:the )?(?:rooms?|shop|store|corridor|hallway|kitchen|next)",
     r"(?:milk|eggs|dairy|meat|fish|chicken|seafood|stock|food|cream|cheese)(?: and (?:milk|eggs|dairy|meat|fish|chicken|cheese|butter|cream))?(?: are| is|'s)? (?:in there|inside) (?:since|for|all)",
     r"(?:milk|dairy|cold brews?|drinks|juices?|yog(?:h)?urts?|cream|cakes?|cheesecakes?|desserts?|sandwich(?:es)?|meat|fish|ice cream|stock|food)(?: inside| in there| in it)?(?:'s|'re| is| are)?(?: sitting| reading| now| already)? (?:at|up to) \d+\s*(?:°c|°|c|degrees?)(?![a-z])",
     r"(?:freezer|fridge|chiller|cooler|cold room)[^.!?]{0,40}(?:reading|showing|sitting at|up to|climbed to) -?\d+\s*(?:°c|°|c|degrees?)(?![a-z])[^.!?]{0,12}should be",
     r"full of (?:frozen|chilled|fresh) \w+", r"\d+\s*(?:kg|kgs|kilos?|lbs?) of (?:frozen |chilled |fresh )?\w+", r"-?\d+\s*(?:°c|°|c|degrees?)? instead of -\d+", r"full of (?:chicken|meat|fish|prawns|seafood|milk|dairy|cheese|cream|cakes|desserts)", r"(?:frozen|chilled) (?:\w+ )?(?:stock|goods|food|fish|meat|dumplings|chicken|seafood)(?: is| are)? (?:inside|in there|in it)", r"(?:gets?|get|be|is) (?:binned|thrown (?:out|away)|chucked)", r"(?:have|need|going) to (?:bin|throw (?:out|away)|chuck) (?:it|them|everything|the lot|all)", r"(?:meat|fish|seafood|dairy|stock|produce|food|chicken|pork|beef|lamb|milk|cheese|butter|ice cream|yog(?:h)?urt)(?: delivery)? (?:is |are )?(?:inside|in there|in it)",
     r"(?:pallet|load|crate|tray|tub|box)e?s? of (?:\w+ )?(?:ice cream|meat|fish|seafood|dairy|chicken|milk|cheese) (?:in it|in there|inside)",
     r"(?:cakes?|desserts?|ice cream|dairy|milk|meat|fish|sandwich(?:es)?|salads?|yog(?:h)?urts?|cheese|butter|chicken|stock)[^.!?]{0,12}(?:sweating|melting|thawing|going off|spoiling|warming up|getting warm)",
     r"(?:ice cream|ice-cream|stock|meat|butter|cheese|dairy)[^.!?]{0,8}(?:going|gone|getting) soft",
     r"(?:viande|poisson|glaces?|surgeles|produits frais|yaourts?|lait|beurre|fromages?|creme|oeufs)[^.!?,]{0,10} dedans", r"(?:\d+|[a-z]+)\s*(?:kg|kilos?) de \w+(?: \w+)? dedans", r"full of (?:\w+ )?(?:stock|ice cream|ice-cream|meat|fish|seafood|dairy|produce|food)",
     r"(?:seront|sera|vont etre|va etre) (?:perdue?s?|fichue?s?|a jeter|jetee?s?)", r"palettes? de (?:\w+ )?(?:poulet|viande|poisson|glaces?|surgeles|lait|yaourts?|fromages?|crevettes|beurre)",
     r"(?:va|vont|allons) perdre (?:tout )?(?:le |la |les |du |de la )?(?:stock|marchandise|lait|viande|poisson|produits|glaces?)", r"(?:all|the) (?:the )?(?:dairy|meat|fish|seafood|stock|produce) (?:is )?in there",
     r"(?:toute la|tout le|toutes les) (?:viande|poisson|stock|marchandise|glace|produit|surgele|dessert|pate|beurre|creme|fromage|patisserie|viennoiserie)s?[^.!?,]{0,20} (?:est |sont )?dedans",
     r"(?:everything|it all|the stock|stock|food|meat|ice cream|ice-cream)(?:'s| is| are)? (?:thawing|melting|defrosting)", r"everything (?:inside|in (?:it|there)) is (?:getting|going) (?:warm|soft)",
     r"(?:power|blackout|lights (?:are |went )?out)[^!?]{0,50}(?:shoppers|people|guests) (?:are )?(?:already |still )?(?:in|inside)",
     r"\d+ (?:shoppers|customers|people|guests) inside", r"(?:everything|it all|the stock)(?:'s| has| is)? gone soft",
     r"(?:power|blackout|lights (?:are |went )?out)[^!?]{0,50}customers (?:are )?(?:already |still )?(?:in|inside)",
     r"(?:panne de courant|plus de courant|coupure)[^!?]{0,50}clients (?:sont )?(?:deja )?(?:dans|la)",
     r"(?:panne de courant|plus de courant|coupure)[^!?]{0,60}plein de clients"],
    [r"ด่วน", r"รีบ", r"ทันที", r"(?:ทุเรียน|ผลไม้|หมู|เนื้อ|ไก่|ของสด)[^\s]{0,4}เต็ม", r"เริ่มเสีย", r"วัคซีน", r"อินซูลิน", r"(?:ของสด|อาหาร|ครีม|เค้ก|ไอศกรีม|ไอติม|นม)[^\s]{0,6}ข้างใน",
     r"(?:ครีม|ไอศกรีม|ไอติม|เค้ก|ช็อกโกแลต|เนย)[^\s]{0,6}(?:เริ่ม)?ละลาย", r"เร็วๆ", r"เร็ว ๆ", r"(?:ของสด|อาหาร|ของ|ปลา|เนื้อ|หมู|ไก่|กุ้ง|นม)[^\s]{0,6}(?:เริ่ม|จะ)เสีย", r"(?:ของสด|อาหาร|ของ|ปลา|เนื้อ|หมู|ไก่|กุ้ง|ไอศกรีม)[^\s]{0,10}(?:เริ่ม)?ละลาย", r"(?:ของ|ไอศกรีม|ไอติม)[^\s]{0,8}ละลาย", r"(?:นม|ของสด|อาหาร|เนื้อ|ปลา|ไอติม|ไอศกรีม)[^\s]{0,4}เสีย(?:ไป|แล้ว|หมด)", r"จะเสียหมด", r"เสียหมดแน่", r"กลัว(?:จะ)?เสีย", r"ของสดอยู่ใน(?:นั้|ตู้)", r"(?:นม|เค้ก|ของสด|เนื้อ|อาหาร|ไอศกรีม)[^\s]{0,12}อยู่ข้างใน", r"ข้างในมี(?:หมู|ไก่|เนื้อ|ปลา|ของสด|นม|ไอศกรีม|อาหาร|กุ้ง)", r"(?:นม|ไข่|เค้ก|ของสด|เนื้อ|หมู|ไก่|ปลา|อาหาร|ไอศกรีม)[^\s]{0,12}อยู่ใน(?:นั้น|ตู้)", r"ของสด(?:เต็ม|อยู่ข้างใน|ในตู้)", r"(?:ของแช่แข็ง|ของสด|สินค้าแช่แข็ง|ของแช่เย็น)[^\s]{0,6}(?:เต็ม|อยู่ใน)", r"ไฟดับ[^\n]{0,30}ลูกค้า(?:อยู่)?(?:ข้างใน|ในร้าน|เต็ม)",
     r"(?:หมู|ไก่|เนื้อ|ปลา|กุ้ง|ของสด|อาหาร|นม)[^\s]{0,16}(?:ร้อย|พัน|สิบ|\d+)\s*(?:โล|กิโล)"],
)

NOT_URGENT = build(
    [r"不(?:太|是很|怎么|用|必)?(?:着)?急", r"(?:紧急程度|紧急度|优先级)\s*[:：]?\s*(?:一般|普通|低|不急|正常)", r"不是(?:特别|非常|那么|太)急", r"不用(?:太|那么)急", r"不紧急", r"不加急", r"没(?:那么|有那么)?急", r"不赶", r"慢慢来",
     r"有空(?:再|的时候|来|过来)", r"不算(?:太|很)?急", r"马上就(?:到|要到)了?(?![^,.!?，。！？]{0,3}(?:快|请|派))"],
    [r"not urgent", r"no rush", r"(?:it |that )?can wait", r"(?:ca|ça) peut attendre", r"no hurry", r"not an emergency", r"whenever", r"pas (?:tres |si |trop |vraiment |super )?urgente?s?", r"not (?:that |very |too |super |really )urgent", r"rien d'urgent", r"sans urgence", r"not (?:overflowing|leaking|flooding)",
     r"pas presse"],
    [r"ไม่ด่วน", r"ไม่รีบ", r"ยังไม่ล้น", r"ว่างเมื่อไห?ร่(?:ค่อย|ก็)", r"ค่อยมา"],
)
