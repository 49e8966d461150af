"""Shared set-up of the weekly plan tests: the feed tests' world (two communities, a
patrol, a care visit, coordinators, a leader) plus helpers to read the plan pages."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import event

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, Person
from coordinator.services.schedule import changes
from tests.support.database import TEST_PASSWORD
from tests.support.feeds import (
    add_care_visit,
    add_series,
    feed_world,
    occurrences,
    sign,
)
from tests.support.scheduling import NOW, ZONE, account, patrol, roles_of
from tests.support.web import login

__all__ = ["NOW", "ZONE", "TEST_PASSWORD", "plan_world", "local_date", "entries", "login_as",
           "set_locale", "count_queries", "text_of"]


def local_date(instant: datetime) -> date:
    return (instant + timedelta(hours=8)).date()  # Asia/Shanghai has no DST


def plan_world(app) -> dict:
    """The feed world plus: a daily patrol from tomorrow (3 places, person 0 and 1 on the
    first date), a talk in the second community, a care visit with person 5 on it, and the
    third patrol date cancelled for rain."""
    with app.app_context():
        w = feed_world()
        w["patrol"] = patrol(w, venue=w["room"])
        w["occ"] = occurrences(w["patrol"])
        w["roles"] = roles_of(w["patrol"])
        sign(w["accounts"][0], w["roles"][0])
        sign(w["accounts"][1], w["roles"][0])
        w["names"] = [db.session.get(Person, p).full_name for p in w["people"]]
        w["talk"] = add_series(w, w["coord2"], w["other"], "防诈骗讲座", start_day=2)
        w["care"] = add_care_visit(w)
        w["care_occ"] = occurrences(w["care"])
        care_roles = roles_of(w["care"])
        sign(w["accounts"][5], care_roles[0])
        begin_write(db.session)
        changes.cancel_occurrence(db.session, account(w["coordinator"]), w["occ"][2],
                                  "暴雨预警", NOW)
        db.session.commit()
        first = db.session.get(Occurrence, w["occ"][0])
        w["first_day"] = local_date(first.start_at)
    return w


def login_as(client, username: str):
    response = login(client, username, TEST_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def set_locale(app, account_id: int, locale: str) -> None:
    with app.app_context():
        db.session.get(Account, account_id).locale = locale
        db.session.commit()


ARTICLE = re.compile(r'<article class="occ[^"]*" data-occurrence-id="(\d+)">(.*?)</article>',
                     re.S)


def entries(html: str) -> dict[int, str]:
    """The plan's entries: occurrence id -> the entry's visible text."""
    return {int(m.group(1)): text_of(m.group(2)) for m in ARTICLE.finditer(html)}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class count_queries:
    """Count the SQL statements the app's engine runs inside the ``with`` block."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.statements: list[str] = []

    def _hook(self, conn, cursor, statement, *args):
        self.count += 1
        self.statements.append(statement)

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hook)
