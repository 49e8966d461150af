"""Swap offers: a refusal writes nothing, whoever asks (issue 11.4); cancelling or
splitting a shift closes its offers (issue 11.12)."""
from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Account, Assignment, OccurrenceRole, Series, SwapOffer
from coordinator.services.people.accounts import hash_password
from coordinator.services.schedule import changes
from coordinator.services.schedule.series import RoleInput, SeriesInput
from coordinator.services.shifts import signups, swaps
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW, ZONE, account, build_world, patrol, roles_of
from tests.support.web import login, post


@pytest.fixture
def world(app):
    """build_world with passwords, a daily patrol whose swaps need approval, and
    volunteer 0 on its first two days; the clock pinned at NOW."""
    app.config["NOW"] = lambda: NOW
    with app.app_context():
        w = build_world(n_people=3)
        for row in db.session.scalars(db.select(Account)):
            row.password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
        w["series"] = patrol(w, needed=1, maximum=1)
        db.session.get(Series, w["series"]).requires_swap_approval = True
        db.session.commit()
        w["roles"] = roles_of(w["series"])
        w["signed"] = [_call(lambda r=r: signups.sign_up(
            db.session, account(w["accounts"][0]), r, NOW, zone=ZONE)).assignment_id
            for r in w["roles"][:2]]
    return w


def _call(action):
    begin_write(db.session)
    try:
        result = action()
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def _offer(w, index=0, taker=None):
    """Volunteer 0 offers a shift; ``taker`` (a volunteer index) takes it: pending."""
    offer_id = _call(lambda: swaps.offer(db.session, account(w["accounts"][0]),
                                         w["signed"][index], NOW)).id
    if taker is not None:
        _call(lambda: swaps.take(db.session, account(w["accounts"][taker]), offer_id, NOW))
    return offer_id


def _status(offer_id):
    db.session.expire_all()
    return db.session.get(SwapOffer, offer_id).status


def _occurrence(assignment_id):
    role = db.session.get(Assignment, assignment_id).occurrence_role_id
    return db.session.get(OccurrenceRole, role).occurrence_id


def _page(app, who, path):
    client = app.test_client()
    assert login(client, who).status_code == 302
    return client, client.get(path).get_data(as_text=True)


def test_a_refused_swap_changes_nothing_on_the_volunteers_and_the_coordinators_path(app, world):
    with app.app_context():
        waiting = _offer(world, 0, taker=1)  # pending: the coordinator's to decide
        still_open = _offer(world, 1)
        # The shifts lose their holder behind the offers' back (data from before the
        # withdrawal closed offers): both paths must refuse, and write nothing.
        db.session.execute(db.update(Assignment).where(Assignment.id.in_(world["signed"]))
                           .values(status="withdrawn"))
        db.session.commit()
    client, _ = _page(app, "coord", "/swaps/pending")
    post(client, f"/swaps/{waiting}/decide", {"approve": "1"}, token_from="/swaps/pending")
    volunteer, _ = _page(app, "13900000002", "/swaps")
    post(volunteer, f"/swaps/{still_open}/take", token_from="/swaps")
    with app.app_context():
        assert (_status(waiting), _status(still_open)) == ("pending", "open")
        for offer_id, action in ((waiting, lambda o: swaps.approve(
                db.session, account(world["coordinator"]), o, True, NOW)),
                (still_open, lambda o: swaps.take(db.session, account(world["accounts"][2]),
                                                  o, NOW))):
            with pytest.raises(DomainError):
                _call(lambda o=offer_id, a=action: a(o))
        assert (_status(waiting), _status(still_open)) == ("pending", "open")


def test_an_expired_offer_is_refused_without_being_written(app, world):
    with app.app_context():
        offer_id = _offer(world, 0)
        expires = db.session.get(SwapOffer, offer_id).expires_at
        with pytest.raises(DomainError, match="no longer open"):
            _call(lambda: swaps.take(db.session, account(world["accounts"][1]), offer_id,
                                     expires + timedelta(minutes=1)))
        assert _status(offer_id) == "open"  # and left out of every list by expires_at


def test_cancelling_a_shift_closes_its_swap_offers(app, world):
    with app.app_context():
        waiting = _offer(world, 0, taker=1)
        still_open = _offer(world, 1)
        occurrences = [_occurrence(a) for a in world["signed"]]
        for occurrence in occurrences:
            _call(lambda o=occurrence: changes.cancel_occurrence(
                db.session, account(world["coordinator"]), o, "暴雨", NOW))
        assert (_status(waiting), _status(still_open)) == ("withdrawn", "withdrawn")
    _, pending = _page(app, "coord", "/swaps/pending")
    assert f"/swaps/{waiting}/decide" not in pending
    _, offers = _page(app, "13900000002", "/swaps")
    assert f"/swaps/{still_open}/take" not in offers


def test_splitting_a_series_closes_the_offers_of_the_shifts_it_cancels_or_moves(app, world):
    with app.app_context():
        waiting = _offer(world, 0, taker=1)
        still_open = _offer(world, 1)
        first = _occurrence(world["signed"][0])
        series = db.session.get(Series, world["series"])
        data = SeriesInput(kind="patrol", title=series.title, community_id=world["community"],
                           start_date=series.start_date + timedelta(days=1),
                           start_time=time(20, 30), duration_minutes=120,
                           rrule="FREQ=DAILY;INTERVAL=2", until=series.until,
                           roles=(RoleInput("巡逻队员", 1, 1, world["team"]),))
        # Day one is left out by the new rule (cancelled), day two moves to 20:30.
        _call(lambda: changes.split_series(db.session, account(world["coordinator"]), first,
                                           replace(data), NOW,
                                           horizon_end=NOW + timedelta(weeks=12)))
        assert (_status(waiting), _status(still_open)) == ("withdrawn", "withdrawn")


def test_preferences_are_not_half_saved_when_one_value_is_refused(app):
    from coordinator.services.people import accounts

    with app.app_context():
        me = Account(role="volunteer", username="prefs", locale="zh_CN", text_size="standard")
        with pytest.raises(DomainError):
            accounts.set_preferences(me, locale="en", text_size="enormous")
        assert (me.locale, me.text_size) == ("zh_CN", "standard")
