"""Repeat rules read in words with their time on every page that shows one, never as
RRULE syntax (three care series that differ only by their rule must read differently)."""
from __future__ import annotations

from datetime import time

from coordinator.extensions import db
from tests.support.scheduling import patrol
from tests.support.web import login, post

CARE = (("FREQ=WEEKLY;BYDAY=MO", time(9, 0), 60, "每周一 09:00–10:00", "Every Monday 09:00–10:00"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", time(15, 0), 90, "每两周周二、周四 15:00–16:30",
         "Every other week on Tuesday and Thursday 15:00–16:30"),
        ("FREQ=MONTHLY;BYMONTHDAY=25", time(9, 0), 120, "每月25日 09:00–11:00",
         "Every month on day 25 09:00–11:00"))


def test_no_page_shows_repeat_rule_syntax(app, client, world):
    with app.app_context():
        ids = [patrol(world, rule=rule, at=at, minutes=minutes, kind="care", title="探望孤寡老人",
                      until_days=None) for rule, at, minutes, _zh, _en in CARE]
        ids.append(patrol(world, rule="FREQ=DAILY", until_days=6))
        db.session.remove()
    login(client, "admin")
    pages = {"/series": client.get("/series?page=1").get_data(as_text=True)}
    for series_id in ids:
        pages[f"/series/{series_id}"] = client.get(f"/series/{series_id}").get_data(as_text=True)
    pages["/admin/audit"] = client.get("/admin/audit").get_data(as_text=True)
    for path, page in pages.items():
        assert "FREQ=" not in page and "BYDAY" not in page, path
    for (_rule, _at, _minutes, zh, _en), series_id in zip(CARE, ids):
        assert zh in pages["/series"] and zh in pages[f"/series/{series_id}"]
    assert "每天 19:30–21:30，到" in pages[f"/series/{ids[-1]}"]  # with its last day
    assert "每月25日 09:00–11:00" in pages["/admin/audit"]  # the creation entry, in words
    post(client, "/preferences", {"locale": "en", "next": "/series"}, token_from="/series")
    english = client.get("/series").get_data(as_text=True)
    for _rule, _at, _minutes, _zh, en in CARE:
        assert en in english
