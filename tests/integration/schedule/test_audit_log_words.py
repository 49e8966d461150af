"""The audit log in words: every action code the code base writes has a name, every
detail it stores has a label; the page shows names (not ids), local times and Chinese as
it is, never codes, JSON or \\u escapes, and reads a page with a fixed number of queries."""
from __future__ import annotations

import ast
import re
from datetime import time, timedelta
from pathlib import Path

from coordinator import vocab
from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Occurrence, OccurrenceRole
from coordinator.services.schedule.changes import cancel_occurrence, change_counts, move_occurrence
from coordinator.services.shifts.signups import sign_up
from tests.support.plan import count_queries, text_of
from tests.support.scheduling import NOW, account, patrol, roles_of
from tests.support.web import login

SOURCE = Path(vocab.__file__).parent


def _written() -> tuple[set[str], set[str]]:
    """Every action code and detail key given to ``audit.record`` anywhere in the code."""
    actions, keys = set(), set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record" \
                    and getattr(node.func.value, "id", None) == "audit":
                code = node.args[2]
                found = [n.value for n in ast.walk(code) if isinstance(n, ast.Constant)
                         and isinstance(n.value, str)]
                assert found, f"{path}:{node.lineno}: the action code is not a literal"
                actions.update(found)
                keys.update(k.arg for k in node.keywords if k.arg)
                keys.update(k.value for arg in node.keywords for d in ast.walk(arg.value)
                            if isinstance(d, ast.Dict) for k in d.keys
                            if isinstance(k, ast.Constant))
            # account.update passes **changes: the keys it fills are details too
            if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "changes" \
                    and isinstance(node.slice, ast.Constant):
                keys.add(node.slice.value)
    return actions, keys


def test_every_action_code_and_detail_written_has_a_label():
    actions, keys = _written()
    assert len(actions) > 30 and {"series.create", "occurrence.move", "feed.public"} <= actions
    assert sorted(actions - set(vocab.AUDIT_ACTIONS)) == []
    assert sorted(keys - set(vocab.AUDIT_FIELDS)) == []


def test_audit_page_reads_in_words(app, client, world):
    with app.app_context():
        series_id = patrol(world, rule="FREQ=WEEKLY;BYDAY=MO,TH", until_days=30, venue=None)
        coordinator = account(world["coordinator"])
        slots = roles_of(series_id)
        begin_write(db.session)
        sign_up(db.session, coordinator, slots[0], NOW, person_id=world["people"][0])
        first = db.session.get(OccurrenceRole, slots[0]).occurrence_id
        second = db.session.get(OccurrenceRole, slots[1]).occurrence_id
        day = db.session.get(Occurrence, first).start_at + timedelta(hours=8)
        move_occurrence(db.session, coordinator, first, start_date=day.date(),
                        start_time=time(18, 0), duration_minutes=120, venue_id=world["room"],
                        now=NOW)
        change_counts(db.session, coordinator, second, {slots[1]: (4, 5)}, NOW)
        cancel_occurrence(db.session, coordinator, second, "下雪停一次", NOW)
        db.session.commit()
        db.session.remove()
    login(client, "admin")
    with count_queries(app) as few:
        html = client.get("/admin/audit").get_data(as_text=True)
    page = text_of(html)
    for words in ("新建活动安排", "协调员安排", "改期", "修改名额", "取消一次活动",  # actions
                  "工作安排：晚间巡逻", "每周一、周四 19:30–21:30",  # the series and its rule
                  "成员：队员0", "场地：— → 活动室一", "开始：", "18:00",  # names, local time
                  "需要人数/最多人数：3/3 → 4/5", "原因：下雪停一次", "时间和操作人"):
        assert words in page, words
    for developer in ("series.create", "occurrence.move", "person_id", "venue_id", "FREQ=",
                      "\\u", "{", "}", '"'):
        assert developer not in page, developer
    # Times are the local wall clock: the move to 18:00 Beijing time reads 18:00, not 10:00.
    assert re.search(r"开始：\S+ \S+ → \S+ 18:00", page)
    # More entries, same number of queries (ids resolved per kind, not per row).
    with app.app_context():
        begin_write(db.session)
        for role_id, person in zip(slots[2:6], world["people"][1:5]):
            sign_up(db.session, account(world["coordinator"]), role_id, NOW, person_id=person)
        db.session.commit()
        db.session.remove()
    with count_queries(app) as more:
        assert "队员4" in client.get("/admin/audit").get_data(as_text=True)
    assert more.count == few.count
