"""Name lists and fixed plans for the demo township (see ``demo.loader``).

Everything here is invented: names are drawn from common surnames and the given
names usual for people born 1940–1966; phone numbers and e-mail addresses are made
up (e-mail uses the reserved ``example.com`` domain so that no reminder can ever
reach a real mailbox).
"""
from __future__ import annotations

from datetime import time

# (name, code) of the nine communities of one township copy.
COMMUNITIES = (
    ("团结社区", "C01"), ("和平社区", "C02"), ("友谊社区", "C03"),
    ("幸福社区", "C04"), ("光明社区", "C05"), ("胜利社区", "C06"),
    ("新华社区", "C07"), ("振兴社区", "C08"), ("文化社区", "C09"),
)

PEOPLE_PER_COPY = 606      # retired members in the nine branches
AWAY_PER_COPY = 82         # still living out in field units or away for a while
INACTIVE_PER_COMMUNITY = 1  # members who stopped taking part

# Common surnames, the most frequent repeated so they are drawn more often.
SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨黄黄赵赵吴吴周周徐孙马朱胡郭何高林罗"
    "郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
    "汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武"
    "戴孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关兰焦俞左柳甘"
)

# Given names common for people born 1940–1966 (two characters, a few one-character).
GIVEN_MALE = (
    "建国 建华 建军 建民 建平 建设 国庆 国强 国华 国栋 国平 国良 卫东 卫国 卫民 "
    "志强 志刚 志明 志华 志国 德明 德华 德胜 德福 德才 文斌 文华 文明 永红 永刚 "
    "永生 永福 振华 振国 援朝 抗美 胜利 解放 新民 新华 跃进 红旗 东升 爱国 忠诚 "
    "宝林 宝山 金山 长春 长青 春生 春林 秋生 海涛 海军 学军 学文 立新 向阳 "
    "保国 兴国 庆丰 丰收 有才 福山 满堂 玉林 树林 松林 广 明 军 伟 勇 斌 刚 杰 "
).split()
GIVEN_FEMALE = (
    "秀英 秀兰 秀珍 秀芳 秀云 桂兰 桂英 桂芳 桂珍 玉兰 玉珍 玉梅 玉芳 玉英 淑珍 "
    "淑英 淑兰 淑芳 凤英 凤兰 凤琴 凤霞 红梅 红霞 红英 爱华 爱莲 爱珍 丽华 丽娟 "
    "美兰 美英 翠英 翠兰 素珍 素芳 兰英 金凤 金兰 春梅 春兰 冬梅 雪梅 月英 "
    "秋菊 菊花 建英 建芳 卫红 小红 海燕 桂香 志英 慧 芳 英 霞 萍 静 "
).split()

# Field units (连队) where away members still live.
FIELD_UNITS = tuple(f"{n}连" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 "
                    "十五 十六".split())

# Reasons for a temporary absence (shown in notes).
AWAY_REASONS = ("去内地子女家小住", "外出就医", "回老家探亲", "在乌鲁木齐带孙子", "外地疗养")

# Notes on a few members: recognition of long service.
HONOURS = (
    "为边防战士缝制鞋垫一千余双",
    "曾任老年协会会长十年",
    "义务巡逻五年从未缺勤",
    "连续多年被评为优秀党员",
    "退休前为团场小学教师，擅长讲团史",
)

# Township-wide troupes and their weekly rehearsals in the activity centre.
# (team name, team kind, series kind, venue key, BYDAY, start, minutes, members)
# Two entries sharing a room must never overlap: ``demo.teams.check_room_plan`` checks this.
TROUPES = (
    ("演出队", "troupe", "rehearsal", "hall", "TU,FR", time(9, 30), 120, 24),
    ("老年舞蹈队", "troupe", "rehearsal", "room1", "MO,TH", time(9, 0), 120, 22),
    ("秧歌队", "troupe", "rehearsal", "room1", "TU,FR", time(9, 0), 90, 26),
    ("腰鼓队", "troupe", "rehearsal", "hall", "MO,TH", time(15, 30), 90, 20),
    ("太极剑队", "troupe", "rehearsal", "room2", "MO,WE,FR", time(8, 0), 60, 16),
    ("太极拳队", "troupe", "rehearsal", "room2", "TU,TH,SA", time(8, 0), 60, 18),
    ("豫剧演唱组", "troupe", "rehearsal", "room3", "WE", time(15, 0), 120, 12),
    ("“绿太阳”合唱团", "troupe", "rehearsal", "room3", "TU,FR", time(15, 0), 120, 36),
    ("老年大学书画班", "other", "meeting", "library", "TH", time(15, 0), 90, 20),
)

# Activity centre (township): key -> (name, kind, capacity).
CENTRE_ROOMS = (
    ("room1", "活动中心 活动室一", "room", 40),
    ("room2", "活动中心 活动室二", "room", 40),
    ("room3", "活动中心 活动室三", "room", 40),
    ("library", "活动中心 图书室", "room", 30),
    ("hall", "活动中心 多功能厅", "hall", 200),
)
CENTRE_ADDRESS = "团场中心街 1 号 老年活动中心"

SCHOOLS = (
    ("school1", "团场第一中学", "团场文化路 8 号"),
    ("school2", "团场中心小学", "团场育才路 3 号"),
    ("school3", "团场职业技术学校", "团场建设路 21 号"),
)
HOSPITAL = ("hospital", "团场医院", "团场人民路 15 号")

PATROL_ROUTE_STOPS = ("东门", "农贸市场", "幼儿园", "北区住宅楼", "文化广场", "超市",
                      "出租屋集中区", "西门", "小游园", "车棚")

WARDS = ("内科", "心内科", "骨科", "呼吸科", "神经内科", "康复科")
HOSPITAL_NOTES = (
    "脑梗后康复期，说话不便，探望时间不宜过长。",
    "肺部感染住院，家属白天陪护。",
    "髋骨骨折术后，需卧床。",
    "心衰住院观察，忌情绪激动。",
    "糖尿病并发症住院，饮食需控制。",
)
ALONE_NOTES = (
    "独居，高血压，行动不便；每周送米面油，帮助打扫卫生。",
    "孤寡老人，听力差，敲门要大声；帮助买菜、打扫。",
    "独居，腿脚不好，冬天需帮助清理门前积雪。",
    "老伴去世后独居，情绪低落，多陪聊天。",
    "独居，视力差，帮助读报、整理药品。",
)
