"""Issue 13, item 10: numbers as a Chinese phone types them. A full-width IME gives
"１５９…"; pasted text brings zero-width spaces and byte-order marks. Every typed number
(login, phone fields, counts) reads as the plain digits it shows."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import OccurrenceRole, Person
from tests.support.scheduling import patrol, roles_of
from tests.support.shift_pages import COORD_PHONE, phone, shift_pages_world
from tests.support.web import login, post

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(digits: str) -> str:
    return digits.translate(FULL)


@pytest.fixture
def world(app):
    return shift_pages_world(app)


@pytest.mark.parametrize("typed", [
    full_width(phone(0)),                            # a full-width IME
    "\u200b" + phone(0) + "\ufeff",                  # pasted with invisible characters
    "139\u200c0000\u20600000",                       # …inside the number too
    "＋８６ " + full_width(phone(0)),                 # +86 in full width, with a space
])
def test_a_volunteer_logs_in_with_the_phone_number_as_typed(app, world, typed):
    response = login(app.test_client(), typed)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_phone_typed_in_full_width_with_a_zero_width_space_is_stored_as_digits(app, world):
    client = app.test_client()
    login(client, "coord")
    response = post(client, "/people/new", {
        "full_name": "赵\u200b大爷", "community_id": world["community"], "status": "active",
        "phone": "\u200b" + full_width("13900003333")})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(db.select(Person).where(Person.phone == "13900003333"))
        assert person is not None and person.full_name == "赵大爷"


def test_needed_counts_accept_full_width_digits(app, world):
    with app.app_context():
        role_id = roles_of(patrol(world, rule=None, until_days=None))[0]
        occurrence = db.session.get(OccurrenceRole, role_id).occurrence_id
    client = app.test_client()
    login(client, COORD_PHONE)
    page = f"/occurrences/{occurrence}"
    response = post(client, f"/occurrences/{occurrence}/counts",
                    {f"needed-{role_id}": "２", f"maximum-{role_id}": "\u200b５"},
                    token_from=page)
    assert response.status_code == 302
    with app.app_context():
        role = db.session.get(OccurrenceRole, role_id)
        assert (role.needed, role.maximum) == (2, 5)
