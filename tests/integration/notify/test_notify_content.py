"""What messages say, and to whom: a care visit's details only for its confirmed visitors,
notice subjects as one translated sentence, the digest's swap offers and the digest and
weekly summary in Chinese. Real SMTP server, real SMS gateway, hand-moved clock."""
from __future__ import annotations

import json
import re
from datetime import time, timedelta

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Assignment, Delivery
from coordinator.services.schedule import changes
from coordinator.services.shifts import signups, swaps
from tests.support.notify import notes, rows, run, shift, sign, staff, start_of_shift
from tests.support.scheduling import NOW, patrol, roles_of

# The message tests' fixtures: a real SMTP server and SMS gateway, a hand-moved clock.

LOCAL_DAY = (NOW + timedelta(hours=8)).date()  # today in Shanghai
WHEN_ZH = r"\d+月\d+日 周. \d\d:\d\d"


def _texts(mail) -> str:
    return mail.get_body(("plain",)).get_content() + mail.get_body(("html",)).get_content()


def _sms_to(gateway, phone: str) -> list[str]:
    return [m["text"] for m in gateway.received if m["to"] == phone]


def _care(world, **kw) -> tuple[int, int]:
    """A care visit tomorrow 15:00 local in the activity room; returns (series, role)."""
    series = patrol(world, rule=None, until_days=None, kind="care", title="探望王奶奶",
                    at=time(15, 0), venue=world["room"], **kw)
    role = roles_of(series)[0]
    db.session.remove()
    return series, role


def _assignment(app, person_id: int) -> tuple[int, int]:
    with app.app_context():
        found = db.session.scalar(select(Assignment).where(
            Assignment.person_id == person_id).order_by(Assignment.id.desc()))
        result = found.id, found.role.occurrence_id
        db.session.remove()
        return result


def test_care_visit_details_reach_only_its_confirmed_visitors(napp, world, clock, sink,
                                                              gateway):
    with napp.app_context():
        _, role = _care(world, needed=1, maximum=1)
    p, coord = world["people"], world["coordinator"]
    assert sign(napp, world, 0, role).status == "confirmed"  # English, e-mail
    assert sign(napp, world, 1, role).status == "waitlisted"  # Chinese, SMS
    assert sign(napp, world, 2, role).status == "waitlisted"
    # Reminders go to the confirmed visitor only, with the visit's real title.
    clock.advance(hours=4)  # 16:00 local, 23 hours before the visit
    tasks.sweep(napp)
    assert {(r.person_id, r.kind) for r in rows(napp)} == {(p[0], "reminder24")}
    [reminder] = sink.to("member0@example.org")
    assert reminder["Subject"].startswith("Reminder: 探望王奶奶, ")
    # Moved: the visitor reads the title and place; the waitlist reads "Care visit".
    assignment0, occ = _assignment(napp, p[0])
    run(napp, lambda s: changes.move_occurrence(
        s, s.get(Account, coord), occ, start_date=LOCAL_DAY + timedelta(days=1),
        start_time=time(16, 0), duration_minutes=120, venue_id=world["room"], now=clock.at))
    tasks.sweep(napp)
    [moved] = [m for m in sink.to("member0@example.org") if m["Subject"].startswith("Moved")]
    assert moved["Subject"].startswith("Moved: 探望王奶奶, ") and "活动室一" in _texts(moved)
    for i, phone in ((1, "13900000001"), (2, "13900000002")):
        [sms] = _sms_to(gateway, phone)
        assert sms.startswith("已改期：探望慰问 ") and "王奶奶" not in sms
        [(_kind, title, body)] = notes(napp, world["accounts"][i])
        assert re.fullmatch(f"已改期：探望慰问，{WHEN_ZH}", title)
        assert "王奶奶" not in body and "活动室一" not in body
    # Removed by the coordinator: no longer a visitor, so no longer told who it is;
    # the one promoted from the waitlist now is.
    run(napp, lambda s: signups.withdraw(s, s.get(Account, coord), assignment0, clock.at))
    tasks.sweep(napp)
    [removed] = [m for m in sink.to("member0@example.org") if m["Subject"].startswith("No")]
    assert removed["Subject"].startswith("No longer yours: Care visit, ")
    assert "王奶奶" not in _texts(removed) and "活动室一" not in _texts(removed)
    assert _sms_to(gateway, "13900000001")[-1].startswith("已从候补转为正式：探望王奶奶")
    # Cancelled with a reason naming her: the waitlisted member reads neither.
    run(napp, lambda s: changes.cancel_occurrence(s, s.get(Account, coord), occ,
                                                  "王奶奶住院", clock.at))
    tasks.sweep(napp)
    sms = _sms_to(gateway, "13900000002")[-1]
    assert sms.startswith("已取消：探望慰问 ") and "王奶奶" not in sms
    _kind, title, body = notes(napp, world["accounts"][2])[-1]
    assert re.fullmatch(f"已取消：探望慰问，{WHEN_ZH}", title)
    assert "王奶奶" not in body and "原因" not in body and "活动室一" not in body
    # The visitor who was on it (promoted from the waitlist) is told what and why.
    [(_kind, title, body)] = [n for n in notes(napp, world["accounts"][1])
                              if n[1].startswith("已取消")]
    assert title.startswith("已取消：探望王奶奶") and "王奶奶住院" in body
    notices = rows(napp, Delivery.kind == "notice", Delivery.person_id.in_([p[1], p[2]]))
    assert all("王奶奶" not in json.dumps(r.payload, ensure_ascii=False) for r in notices
               if r.payload.get("private"))


def test_notice_subjects_are_one_translated_sentence(napp, world, clock, sink, gateway):
    _, role = shift(napp, world)  # tomorrow 19:30
    sign(napp, world, 0, role)  # English
    sign(napp, world, 1, role)  # Chinese
    occ = _assignment(napp, world["people"][1])[1]
    run(napp, lambda s: changes.move_occurrence(
        s, s.get(Account, world["coordinator"]), occ, start_date=LOCAL_DAY + timedelta(days=1),
        start_time=time(18, 0), duration_minutes=90, venue_id=None, now=clock.at))
    tasks.sweep(napp)
    [(_kind, title, _body)] = notes(napp, world["accounts"][1])
    assert re.fullmatch(f"已改期：晚间巡逻，{WHEN_ZH}", title) and title.endswith("18:00")
    [mail] = sink.to("member0@example.org")
    assert re.fullmatch(r"Moved: 晚间巡逻, \w{3} \d+ \w{3}, 18:00", mail["Subject"])


def _staff(app, world, role, username, email, communities=(), locale="zh_CN"):
    return staff(app, world, role, username, email, communities, locale=locale)


def test_digest_lists_swap_offers_and_reads_in_chinese(napp, world, clock, sink, gateway):
    with napp.app_context():
        _, role = _care(world, needed=2, maximum=2)
    offered = sign(napp, world, 0, role)
    left = sign(napp, world, 1, role)
    run(napp, lambda s: signups.withdraw(s, s.get(Account, world["accounts"][1]),
                                         left.assignment_id, NOW))
    run(napp, lambda s: swaps.offer(s, s.get(Account, world["accounts"][0]),
                                    offered.assignment_id, NOW))
    _staff(napp, world, "coordinator", "zh", "zh@example.org", [world["community"]])
    _staff(napp, world, "coordinator", "en", "en@example.org", [world["community"]],
           locale="en")
    _staff(napp, world, "coordinator", "elsewhere", "else@example.org", [world["other"]])
    clock.advance(hours=1)
    tasks.digest(napp)
    tasks.sweep(napp)
    assert sink.to("else@example.org") == []  # another community's care visit: not theirs
    [zh] = sink.to("zh@example.org")
    assert zh["Subject"] == "每日摘要：未来三天还缺 1 人"
    text = zh.get_body(("plain",)).get_content()
    assert "您的每日摘要" in text and "未来三天空缺：1 个" in text and "还差1人" in text
    assert "新的换班申请：1 个" in text and "过去一天取消报名：1 人" in text
    # The visit's own title: the digest goes to that community's coordinators only.
    swap_lines = text.split("新的换班申请：1 个")[1].split("过去一天取消报名")[0]
    assert re.search(f"- {WHEN_ZH} 探望王奶奶 · 队员0", swap_lines)
    html = zh.get_body(("html",)).get_content()
    assert "新的换班申请：1 个" in html and "探望王奶奶 · 队员0</li>" in html
    [en] = sink.to("en@example.org")
    text = en.get_body(("plain",)).get_content()
    assert "New swap offers: 1" in text
    assert "探望王奶奶 · 队员0" in text.split("New swap offers: 1")[1].split("Withdrawals")[0]


def test_weekly_summary_in_chinese_never_names_the_person_visited(napp, world, clock, sink,
                                                                  gateway):
    monday = LOCAL_DAY + timedelta(days=(7 - LOCAL_DAY.weekday()) % 7 or 7)
    with napp.app_context():
        patrol(world, needed=2, maximum=2, start_day=(monday - LOCAL_DAY).days, rule=None,
               until_days=None)
        patrol(world, needed=3, maximum=3, start_day=(monday - LOCAL_DAY).days + 1,
               rule=None, kind="care", title="探望王奶奶", at=time(15, 0))
        db.session.remove()
    leader = _staff(napp, world, "leader", "boss", "leader@example.org")
    clock.at = NOW.replace(year=monday.year, month=monday.month, day=monday.day,
                           hour=23, minute=0) - timedelta(days=1)  # Monday 07:00 local
    assert tasks.weekly(napp) == 2
    tasks.sweep(napp)
    [mail] = sink.messages
    assert mail["Subject"] == f"{monday.isoformat()} 起的每周计划：缺 5 人"
    text = mail.get_body(("plain",)).get_content()
    assert f"{monday.isoformat()} 起的每周计划" in text
    assert "活动：2 项（取消 0 项）" in text and "需要 5 人；已安排 0 人；缺 5 人" in text
    assert "到岗率：0%" in text and "缺人最多：" in text
    assert re.search(f"- {WHEN_ZH} 探望慰问 · 一连社区 · 还差3人", text)
    assert re.search(f"- {WHEN_ZH} 晚间巡逻 · 一连社区 · 还差2人", text)
    html = mail.get_body(("html",)).get_content()
    assert "还差3人" in html and "探望慰问" in html
    stored = [json.dumps(r.payload, ensure_ascii=False) for r in rows(napp)]
    [(_kind, title, body)] = notes(napp, leader)
    assert all("王奶奶" not in t for t in [text, html, title, body, *stored])


def test_sms_fits_the_configured_length_with_a_long_title_and_place(napp, world, clock,
                                                                    gateway):
    """A provider that counts its 【signature】 inside the 70 is given a shorter length;
    the time stays, the title is shortened, never dropped."""
    napp.config["SMS_LENGTH"] = 60
    with napp.app_context():
        from coordinator.models import Venue
        db.session.get(Venue, world["room"]).name = "第一社区老年活动中心二楼多功能厅东侧" * 2
        db.session.commit()
        db.session.remove()
    _, role = shift(napp, world, title="晚间义务巡逻与防盗宣传" * 3, venue=world["room"])
    sign(napp, world, 1, role)  # Chinese, SMS only
    clock.at = start_of_shift(clock) - timedelta(hours=23)
    tasks.sweep(napp)
    [text] = _sms_to(gateway, "13900000001")
    assert len(text.encode("utf-16-le")) // 2 <= 60
    assert text.startswith("提醒：晚间义务巡逻") and re.search(WHEN_ZH, text)
