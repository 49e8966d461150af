"""Coordinators plan through the pages: series forms, bad input, clashes, occurrence edits."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from coordinator.extensions import db
from coordinator.models import Account, Assignment, AuditEntry, Occurrence, OccurrenceRole, Series
from tests.support.scheduling import NOW
from tests.support.web import login, post


def _today():
    """Today in Shanghai at the app's pinned clock."""
    return (NOW + timedelta(hours=8)).date()


def _form(world, **over):
    start = _today() + timedelta(days=2)
    data = {"kind": "patrol", "title": "晚间巡逻", "community_id": world["community"],
            "participation": "slots", "team_id": 0, "venue_id": 0,
            "start_date": start.isoformat(), "start_time": "19:30", "duration_minutes": 120,
            "frequency": "daily", "interval": 1, "until": (start + timedelta(days=13)).isoformat(),
            "withdraw_cutoff_hours": 12,
            "roles-0-name": "巡逻队员", "roles-0-needed": 3, "roles-0-maximum": 3,
            "roles-0-required_team_id": world["team"],
            "roles-1-required_team_id": 0, "roles-2-required_team_id": 0}
    data.update(over)
    return data


def _series_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Series))


def test_coordinator_plans_a_daily_patrol(app, client, world):
    login(client, "coord")
    response = post(client, "/series/new?kind=patrol", _form(world))
    assert response.status_code == 302
    with app.app_context():
        series = db.session.scalar(db.select(Series))
        occurrences = db.session.scalars(db.select(Occurrence).where(
            Occurrence.series_id == series.id)).all()
        assert len(occurrences) == 14
        assert all(o.roles[0].needed == 3 for o in occurrences)
        assert db.session.scalar(db.select(AuditEntry).where(
            AuditEntry.action == "series.create")).actor_id == world["coordinator"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("还差3人") == 14


@pytest.mark.parametrize("over,expected", [
    ({"frequency": "weekly", "weekdays": ["1", "4"]}, 4),
    ({"frequency": "monthly", "month_day": "25", "until": ""}, None),
    ({"rrule": "FREQ=WEEKLY;BYDAY=SA"}, 2),
    ({"frequency": "once"}, 1),
])
def test_plain_word_rules(app, client, world, over, expected):
    login(client, "coord")
    assert post(client, "/series/new?kind=patrol", _form(world, **over)).status_code == 302
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(Occurrence))
        series = db.session.scalar(db.select(Series))
    if expected is None:
        assert series.rrule == "FREQ=MONTHLY;BYMONTHDAY=25" and 2 <= count <= 3
    else:
        assert count == expected


BAD = [
    ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
    ({"frequency": "weekly"}, "weekdays"),
    ({"frequency": "monthly", "month_day": "40"}, "month_day"),
    ({"until": (_today() - timedelta(days=1)).isoformat()}, "until"),
    ({"start_date": (_today() - timedelta(days=3)).isoformat()}, "start_date"),
    ({"roles-0-needed": "0"}, "roles-0-needed"),
    ({"roles-0-needed": "-2"}, "roles-0-needed"),
    ({"roles-0-needed": "3", "roles-0-maximum": "2"}, "roles"),
    ({"roles-0-name": ""}, "roles"),
    ({"venue_id": "999"}, "venue_id"),
    ({"team_id": "999", "participation": "team"}, "team_id"),
    ({"duration_minutes": "0"}, "duration_minutes"),
    ({"title": ""}, "title"),
    ({"start_time": "25:99"}, "start_time"),
    ({"community_id": "2"}, "community_id"),  # the other community: not offered to him
]


@pytest.mark.parametrize("over,field", BAD)
def test_bad_series_input_saves_nothing(app, client, world, over, field):
    login(client, "coord")
    response = post(client, "/series/new?kind=patrol", _form(world, **over))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-err"' in html or "error-box" in html
    assert _series_count(app) == 0


def test_room_clash_lists_every_date_and_saves_nothing(app, client, world):
    login(client, "coord")
    first = _form(world, kind="rehearsal", title="腰鼓队排练", venue_id=world["room"],
                  frequency="weekly", weekdays=["1", "4"], start_time="09:00",
                  duration_minutes=90, until=(_today() + timedelta(days=60)).isoformat())
    assert post(client, "/series/new?kind=patrol", first).status_code == 302
    second = dict(first, title="舞蹈队排练", start_time="10:00")
    response = post(client, "/series/new?kind=patrol", second)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "腰鼓队排练" in html and html.count("腰鼓队排练") >= 10  # every clashing date named
    assert _series_count(app) == 1
    back_to_back = dict(first, title="太极排练", start_time="10:30")
    assert post(client, "/series/new?kind=patrol", back_to_back).status_code == 302


def test_venue_capacity_is_respected(app, client, world):
    login(client, "coord")
    response = post(client, "/series/new?kind=patrol", _form(world, venue_id=world["room"],
                                                 **{"roles-0-maximum": "50"}))
    assert response.status_code == 400 and 'id="venue_id-err"' in response.get_data(as_text=True)


def _occurrences(app):
    with app.app_context():
        return [o.id for o in db.session.scalars(db.select(Occurrence).order_by(
            Occurrence.start_at))]


def test_assign_from_suggestions_cancel_and_move(app, client, world):
    login(client, "coord")
    post(client, "/series/new?kind=patrol", _form(world))
    occ = _occurrences(app)
    page = client.get(f"/occurrences/{occ[0]}").get_data(as_text=True)
    assert "队员0" in page and "推荐人选" in page
    with app.app_context():
        role_id = db.session.scalar(db.select(OccurrenceRole.id).where(
            OccurrenceRole.occurrence_id == occ[0]))
    token_page = f"/occurrences/{occ[0]}"
    assert post(client, f"/slots/{role_id}/assign", {"person_id": world["people"][0]},
                token_from=token_page).status_code == 302
    outside = post(client, f"/slots/{role_id}/assign", {"person_id": world["outsider"]},
                   token_from=token_page)
    assert outside.status_code == 403
    assert f'id="slot{role_id}-person_id-err"' in outside.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 1
    move = post(client, f"/occurrences/{occ[0]}/move",
                {"start_date": (_today() + timedelta(days=2)).isoformat(),
                 "start_time": "20:00", "duration_minutes": 90, "venue_id": 0},
                token_from=token_page)
    assert move.status_code == 302
    with app.app_context():
        moved = db.session.get(Occurrence, occ[0])
        assert moved.sequence == 1
        assert db.session.scalar(db.select(Assignment)).needs_notice is True
    bad_cancel = post(client, f"/occurrences/{occ[1]}/cancel", {"reason": ""},
                      token_from=token_page)
    assert bad_cancel.status_code == 400
    assert post(client, f"/occurrences/{occ[0]}/cancel", {"reason": "大风"},
                token_from=token_page).status_code == 302
    with app.app_context():
        cancelled = db.session.get(Occurrence, occ[0])
        assert cancelled.status == "cancelled" and cancelled.sequence == 2
        assert db.session.scalar(db.select(Assignment)).status == "withdrawn"
        assert cancelled.roles[0].filled == 0
        others = db.session.scalar(db.select(db.func.count()).select_from(Occurrence).where(
            Occurrence.status == "scheduled"))
        assert others == 13  # the other dates are untouched
        series_id = cancelled.series_id
    # The banner says 已取消 plainly (it used to strike through the word itself); on the
    # series page the date is struck through, the word is not.
    html = client.get(f"/occurrences/{occ[0]}").get_data(as_text=True)
    assert "<strong>已取消</strong>: 大风" in html and "<s>" not in html
    dates = client.get(f"/series/{series_id}").get_data(as_text=True)
    assert '<strong class="cancelled-mark">已取消</strong> 大风' in dates
    assert "<s>已取消" not in dates and dates.count("<s>") == 1


def test_counts_change_and_refuse_below_assigned(app, client, world):
    login(client, "coord")
    post(client, "/series/new?kind=patrol", _form(world))
    occ = _occurrences(app)[0]
    with app.app_context():
        role_id = db.session.scalar(db.select(OccurrenceRole.id).where(
            OccurrenceRole.occurrence_id == occ))
    page = f"/occurrences/{occ}"
    for person in world["people"][:2]:
        post(client, f"/slots/{role_id}/assign", {"person_id": person}, token_from=page)
    low = post(client, f"/occurrences/{occ}/counts",
               {f"needed-{role_id}": 1, f"maximum-{role_id}": 1}, token_from=page)
    assert low.status_code == 400
    ok = post(client, f"/occurrences/{occ}/counts",
              {f"needed-{role_id}": 2, f"maximum-{role_id}": 4}, token_from=page)
    assert ok.status_code == 302
    with app.app_context():
        role = db.session.get(OccurrenceRole, role_id)
        assert (role.needed, role.maximum, role.filled) == (2, 4, 2)


def test_change_this_and_following_keeps_people(app, client, world):
    login(client, "coord")
    post(client, "/series/new?kind=patrol", _form(world))
    occ = _occurrences(app)
    with app.app_context():
        roles = {o: db.session.scalar(db.select(OccurrenceRole.id).where(
            OccurrenceRole.occurrence_id == o)) for o in occ}
    post(client, f"/slots/{roles[occ[5]]}/assign", {"person_id": world["people"][1]},
         token_from=f"/occurrences/{occ[5]}")
    form = client.get(f"/occurrences/{occ[3]}/following")
    assert form.status_code == 200
    start = _today() + timedelta(days=5)
    response = post(client, f"/occurrences/{occ[3]}/following",
                    _form(world, start_date=start.isoformat(), start_time="20:00",
                          until=(_today() + timedelta(days=15)).isoformat()))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        old, new = db.session.scalars(db.select(Series).order_by(Series.id)).all()
        assert new.parent_id == old.id
        assert db.session.scalar(db.select(db.func.count()).select_from(Occurrence).where(
            Occurrence.series_id == old.id, Occurrence.status == "scheduled")) == 3
        kept = db.session.get(Occurrence, occ[5])
        assert kept.series_id == new.id and kept.sequence == 1
        local = kept.start_at.astimezone(timezone(timedelta(hours=8)))
        assert (local.hour, local.minute) == (20, 0)
        assignment = db.session.scalar(db.select(Assignment))
        assert assignment.status == "confirmed" and assignment.needs_notice
        assert db.session.scalar(db.select(db.func.count()).select_from(Occurrence).where(
            Occurrence.series_id == new.id)) == 11


def test_end_series_cancels_later_dates(app, client, world):
    login(client, "coord")
    post(client, "/series/new?kind=patrol", _form(world))
    with app.app_context():
        series_id = db.session.scalar(db.select(Series.id))
    last = _today() + timedelta(days=4)
    assert post(client, f"/series/{series_id}/end", {"last_day": last.isoformat()},
                token_from=f"/series/{series_id}").status_code == 302
    with app.app_context():
        statuses = db.session.execute(db.select(Occurrence.status, db.func.count()).group_by(
            Occurrence.status)).all()
        assert dict(statuses) == {"scheduled": 3, "cancelled": 11}


def test_other_coordinator_and_volunteer_cannot_touch(app, client, world, make):
    login(client, "coord")
    post(client, "/series/new?kind=patrol", _form(world))
    occ = _occurrences(app)[0]
    post(client, "/logout", token_from="/")
    with app.app_context():
        phone = db.session.get(Account, world["accounts"][0]).person.phone
    login(client, phone)
    assert client.get(f"/occurrences/{occ}").status_code == 403
    assert client.get("/series/new?kind=patrol").status_code == 403


def test_coordinator_approves_a_pending_swap(app, client, world):
    from coordinator.database import begin_write
    from coordinator.services.shifts import signups, swaps
    from tests.support.scheduling import NOW, ZONE, patrol, roles_of
    with app.app_context():
        series_id = patrol(world, needed=1, maximum=1, start_day=3)
        db.session.get(Series, series_id).requires_swap_approval = True
        db.session.commit()
        role = roles_of(series_id)[0]
        giver = db.session.get(Account, world["accounts"][0])
        taker = db.session.get(Account, world["accounts"][1])
        begin_write(db.session)
        result = signups.sign_up(db.session, giver, role, NOW, zone=ZONE)
        offer = swaps.offer(db.session, giver, result.assignment_id, NOW)
        swaps.take(db.session, taker, offer.id, NOW)
        db.session.commit()
        offer_id = offer.id
    login(client, "coord")
    page = client.get("/swaps/pending").get_data(as_text=True)
    assert "队员0" in page and "队员1" in page
    assert post(client, f"/swaps/{offer_id}/decide", {"approve": "1"},
                token_from="/swaps/pending").status_code == 302
    with app.app_context():
        live = db.session.scalar(db.select(Assignment).where(
            Assignment.occurrence_role_id == role, Assignment.status == "confirmed"))
        assert live.person_id == world["people"][1]


def test_new_series_start_with_the_configured_withdrawal_cutoff(app, client, world):
    app.config["WITHDRAW_CUTOFF_HOURS"] = 36
    login(client, "coord")
    html = client.get("/series/new?kind=patrol").get_data(as_text=True)
    assert 'name="withdraw_cutoff_hours"' in html and 'value="36"' in html
    form = _form(world)
    del form["withdraw_cutoff_hours"]  # left empty: the configured default
    assert post(client, "/series/new?kind=patrol", form).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Series.withdraw_cutoff_hours)) == 36
