"""Repeat rules in words, with their time, in Chinese and English (a table per language)."""
from datetime import date, datetime, timedelta

import pytest

from coordinator.domain.repeat_words import RepeatWords, describe_repeat

EN = RepeatWords(format_date=lambda d: d.strftime("%d %b %Y"))
# The Chinese phrases as messages.po gives them (the page test checks the real catalogue).
ZH = RepeatWords(
    once="仅一次：%(date)s", daily="每天", every_n_days="每%(n)s天", weekly="每%(days)s",
    every_other_week="每两周%(days)s", every_n_weeks="每%(n)s周%(days)s",
    monthly_day="每月%(days)s日", every_n_months_day="每%(n)s个月的%(days)s日",
    monthly_last_day="每月最后一天", monthly_weekday="每月%(days)s",
    every_n_months_weekday="每%(n)s个月的%(days)s", yearly="每年%(date)s",
    month_day="%(month)s月%(day)s日", position_weekday="%(position)s%(weekday)s",
    custom="按自定义规则重复", time_range="%(start)s–%(end)s", next_day="次日%(time)s",
    until="至%(date)s", count="共%(n)s次", with_time="%(rule)s %(time)s",
    more="%(text)s，%(more)s", separator="、", last_separator="、",
    weekdays=("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    positions={1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", 5: "第五个",
               -1: "最后一个", -2: "倒数第二个"},
    format_date=lambda d: f"{d.year}年{d.month}月{d.day}日")

MONDAY_9 = datetime(2026, 12, 7, 9, 0)  # a Monday
CASES = [
    # rule, start, minutes, until, Chinese, English
    ("FREQ=DAILY", datetime(2026, 12, 7, 19, 0), 120, None,
     "每天 19:00–21:00", "Every day 19:00–21:00"),
    ("FREQ=DAILY;INTERVAL=3", MONDAY_9, 60, None,
     "每3天 09:00–10:00", "Every 3 days 09:00–10:00"),
    ("FREQ=WEEKLY;BYDAY=MO", MONDAY_9, 60, None,
     "每周一 09:00–10:00", "Every Monday 09:00–10:00"),
    ("FREQ=WEEKLY", MONDAY_9, 60, None,  # no BYDAY: the weekday of the first date
     "每周一 09:00–10:00", "Every Monday 09:00–10:00"),
    ("FREQ=WEEKLY;BYDAY=TH,TU", MONDAY_9, 90, None,
     "每周二、周四 09:00–10:30", "Every Tuesday and Thursday 09:00–10:30"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", MONDAY_9, 60, None,
     "每周一、周三、周五 09:00–10:00", "Every Monday, Wednesday and Friday 09:00–10:00"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", MONDAY_9, 60, None,
     "每两周周二、周四 09:00–10:00", "Every other week on Tuesday and Thursday 09:00–10:00"),
    ("FREQ=WEEKLY;INTERVAL=3;BYDAY=SA", MONDAY_9, 60, None,
     "每3周周六 09:00–10:00", "Every 3 weeks on Saturday 09:00–10:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=25", MONDAY_9, 120, None,
     "每月25日 09:00–11:00", "Every month on day 25 09:00–11:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=15,1", MONDAY_9, 60, None,
     "每月1、15日 09:00–10:00", "Every month on day 1 and 15 09:00–10:00"),
    ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=25", MONDAY_9, 60, None,
     "每2个月的25日 09:00–10:00", "Every 2 months on day 25 09:00–10:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", MONDAY_9, 60, None,
     "每月最后一天 09:00–10:00", "Every month on its last day 09:00–10:00"),
    ("FREQ=MONTHLY;BYDAY=1MO", MONDAY_9, 60, None,
     "每月第一个周一 09:00–10:00", "Every month on the first Monday 09:00–10:00"),
    ("FREQ=MONTHLY;BYDAY=-1FR", MONDAY_9, 60, None,
     "每月最后一个周五 09:00–10:00", "Every month on the last Friday 09:00–10:00"),
    ("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3", MONDAY_9, 60, None,
     "每月第三个周三 09:00–10:00", "Every month on the third Wednesday 09:00–10:00"),
    ("FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=1", MONDAY_9, 60, None,
     "每年10月1日 09:00–10:00", "Every year on 10/1 09:00–10:00"),
    ("FREQ=WEEKLY;BYDAY=MO", MONDAY_9, 60, date(2026, 12, 31),
     "每周一 09:00–10:00，至2026年12月31日", "Every Monday 09:00–10:00, until 31 Dec 2026"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270131T000000Z", MONDAY_9, 60, date(2027, 6, 1),
     "每周一 09:00–10:00，至2027年1月31日", "Every Monday 09:00–10:00, until 31 Jan 2027"),
    ("FREQ=DAILY;COUNT=10", MONDAY_9, 60, None,
     "每天 09:00–10:00，共10次", "Every day 09:00–10:00, 10 times in all"),
    ("FREQ=DAILY", datetime(2026, 12, 7, 22, 0), 240, None,
     "每天 22:00–次日02:00", "Every day 22:00–02:00 the next day"),
    ("FREQ=DAILY", datetime(2026, 12, 7, 22, 0), 120, None,
     "每天 22:00–24:00", "Every day 22:00–24:00"),
    (None, MONDAY_9, 60, None,
     "仅一次：2026年12月7日 09:00–10:00", "Once, 07 Dec 2026 09:00–10:00"),
    # Rules outside the planning words: never syntax on the page.
    ("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1", MONDAY_9, 60, None,
     "按自定义规则重复 09:00–10:00", "On a custom repeat 09:00–10:00"),
    ("FREQ=HOURLY", MONDAY_9, 60, date(2026, 12, 31),
     "按自定义规则重复 09:00–10:00，至2026年12月31日",
     "On a custom repeat 09:00–10:00, until 31 Dec 2026"),
    ("FREQ=WEEKLY;BYDAY=XX", MONDAY_9, 60, None,
     "按自定义规则重复 09:00–10:00", "On a custom repeat 09:00–10:00"),
    ("garbage", MONDAY_9, 60, None,
     "按自定义规则重复 09:00–10:00", "On a custom repeat 09:00–10:00"),
]


@pytest.mark.parametrize(("rule", "start", "minutes", "until", "zh", "en"), CASES,
                         ids=[c[0] or "once" for c in CASES])
def test_repeat_rule_in_words(rule, start, minutes, until, zh, en):
    duration = timedelta(minutes=minutes)
    assert describe_repeat(rule, start, duration, ZH, until=until) == zh
    assert describe_repeat(rule, start, duration, EN, until=until) == en
    assert "FREQ" not in zh and "FREQ" not in en
