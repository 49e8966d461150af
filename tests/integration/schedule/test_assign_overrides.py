"""Overriding a member's own rule says which rule, with its numbers, asks first with a
button that names it, says it again in the result and writes it into the audit entry;
the result comes back at the card acted on. And no page has an id twice."""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Assignment, AuditEntry, Occurrence, OccurrenceRole, Person
from coordinator.services.shifts import signups
from tests.support.plan import text_of
from tests.support.scheduling import NOW, ZONE, patrol, roles_of
from tests.support.web import csrf_token, login, post

WORDS = "安排后队员1本周将排3次，超过本人设定的每周2次。"
BUTTON = "仍然安排（超过每周2次）"


@pytest.fixture
def busy_week(app, world):
    """队员1 allows herself two shifts a week and has two already (Friday, Saturday);
    Sunday's patrol of the same week is the one to fill. The others are inactive, so she
    is the one suggested (with her rule, after everyone free)."""
    with app.app_context():
        roles = roles_of(patrol(world))
        person = db.session.get(Person, world["people"][1])
        person.max_shifts_per_week = 2
        for other in world["people"][2:]:
            db.session.get(Person, other).status = "inactive"
        db.session.commit()
        coordinator = db.session.get(Account, world["coordinator"])
        for role in roles[:2]:
            begin_write(db.session)
            signups.sign_up(db.session, coordinator, role, NOW, person_id=person.id, zone=ZONE)
            db.session.commit()
        occurrence = db.session.get(OccurrenceRole, roles[2]).occurrence_id
    return {"role": roles[2], "occurrence": occurrence, "person": world["people"][1]}


def _card(html: str, card: str) -> str:
    """The inside of the element with id ``card`` (nested elements of its tag counted)."""
    match = re.search(rf'<(section|li) [^>]*id="{card}"[^>]*>', html)
    assert match, f"no card {card}"
    tag, depth = match.group(1), 1
    for tag_match in re.compile(rf"<(/?){tag}\b").finditer(html, match.end()):
        depth += -1 if tag_match.group(1) else 1
        if depth == 0:
            return html[match.end():tag_match.start()]
    raise AssertionError(f"card {card} is not closed")


def _assigned(app, role: int, person: int) -> bool:
    with app.app_context():
        return db.session.scalar(db.select(Assignment.id).where(
            Assignment.occurrence_role_id == role, Assignment.person_id == person,
            Assignment.status == "confirmed")) is not None


def test_occurrence_page_names_the_rule_asks_first_and_records_it(app, client, busy_week):
    role, person = busy_week["role"], busy_week["person"]
    page = f"/occurrences/{busy_week['occurrence']}"
    login(client, "coord")
    html = client.get(page).get_data(as_text=True)
    # The suggestion says which rule, with the numbers, before anyone taps.
    assert WORDS in text_of(_card(html, f"role-{role}"))
    assert 'name="override" value="y"' not in html  # no hidden override any more

    # First tap: nothing is written; back at the card, which asks and names the rule.
    first = post(client, f"/slots/{role}/assign", {"person_id": person}, token_from=page)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"{page}#role-{role}")
    assert not _assigned(app, role, person)
    card = _card(client.get(page).get_data(as_text=True), f"role-{role}")
    assert "请先确认" in text_of(card) and WORDS in text_of(card)
    assert BUTTON in text_of(card) and 'name="override" value="weekly_limit"' in card

    # Confirming another rule than the one shown does not override this one.
    post(client, f"/slots/{role}/assign", {"person_id": person, "override": "unavailable"},
         token_from=page)
    assert not _assigned(app, role, person)

    # The confirm button: assigned, and the result says again what was overridden.
    done = post(client, f"/slots/{role}/assign", {"person_id": person,
                                                  "override": "weekly_limit"}, token_from=page)
    assert done.headers["Location"].endswith(f"#role-{role}")
    assert _assigned(app, role, person)
    status = text_of(_card(client.get(page).get_data(as_text=True), f"role-{role}"))
    assert "已安排队员1（经您确认：超过每周2次）。" + WORDS in status
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(
            AuditEntry.action == "assignment.assign").order_by(AuditEntry.id.desc())).first()
    assert entry.details["overridden"] == ["weekly_limit"]
    assert entry.details["override_rules"] == [
        {"rule": "weekly_limit", "count": 2, "limit": 2, "n": 2}]
    assert entry.details["override_note"] == WORDS


def test_gap_list_asks_first_in_place_and_without_javascript(app, client, busy_week):
    role, person = busy_week["role"], busy_week["person"]
    login(client, "coord")
    assert WORDS in text_of(_card(client.get("/plan/gaps").get_data(as_text=True),
                                  f"gap-{role}"))
    token = csrf_token(client, "/plan/gaps")
    asked = client.post(f"/plan/gaps/{role}/assign", data={
        "csrf_token": token, "person_id": person}, headers={"Accept": "application/json"})
    data = asked.get_json()
    assert data["ok"] is False and data["confirm"] is True and data["message"] == WORDS
    assert BUTTON in text_of(data["html"]) and f'id="gap-{role}"' in data["html"]
    assert not _assigned(app, role, person)
    # Without JavaScript: back at the card, with the same question.
    plain = client.post(f"/plan/gaps/{role}/assign", data={"csrf_token": token,
                                                          "person_id": person})
    assert plain.headers["Location"].endswith(f"/plan/gaps#gap-{role}")
    assert BUTTON in text_of(_card(client.get("/plan/gaps").get_data(as_text=True),
                                   f"gap-{role}"))
    confirmed = client.post(f"/plan/gaps/{role}/assign", data={
        "csrf_token": token, "person_id": person, "override": "weekly_limit"},
        headers={"Accept": "application/json"}).get_json()
    assert confirmed["ok"] is True
    assert confirmed["message"] == "已安排队员1（经您确认：超过每周2次）。" + WORDS
    assert _assigned(app, role, person)


def test_coordinator_home_starts_with_the_next_gaps_and_their_buttons(app, client, world):
    with app.app_context():
        role = roles_of(patrol(world))[0]
    login(client, "coord")
    html = client.get("/").get_data(as_text=True)
    main = html[html.index("<main"):]
    assert re.search(r"<h2[^>]*>", main).group(0) == '<h2 id="gaps-h">'  # first on the page
    card = _card(html, f"gap-{role}")
    assert f'action="/plan/gaps/{role}/assign"' in card and "安排队员" in text_of(card)
    # Assigning from the home page comes back to the home page, at the card.
    person = int(re.findall(r'name="person_id" value="(\d+)"', card)[0])
    back = post(client, f"/plan/gaps/{role}/assign", {"person_id": person, "back": "home"},
                token_from="/")
    assert back.headers["Location"].endswith(f"/#gap-{role}")
    assert "已安排" in text_of(_card(client.get("/").get_data(as_text=True), f"gap-{role}"))


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in parser.ids.items() if n > 1)


def test_no_page_has_an_id_twice(app, world):
    """Every page a role reaches without arguments, and the pages with one form per row
    (an occurrence with several roles, the gap list, the home page), has unique ids."""
    with app.app_context():
        series = patrol(world)
        roles = roles_of(series)
        occurrence = db.session.get(OccurrenceRole, roles[0]).occurrence_id
        db.session.add(OccurrenceRole(occurrence_id=occurrence, name="组长", needed=1,
                                      maximum=1))
        db.session.commit()
        volunteer_phone = db.session.get(Person, world["people"][0]).phone
        rules = [r.rule for r in app.url_map.iter_rules()
                 if "GET" in r.methods and not r.arguments and not r.rule.startswith(
                     ("/static", "/feeds", "/logout"))]
    pages = {"coord": rules + [f"/occurrences/{occurrence}", f"/series/{series}",
                               f"/people/{world['people'][0]}"],
             volunteer_phone: rules}
    checked = 0
    for who, paths in pages.items():
        client = app.test_client()
        login(client, who)
        for path in paths:
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            checked += 1
            assert duplicate_ids(response.get_data(as_text=True)) == [], path
    assert checked >= 12
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OccurrenceRole).where(
            OccurrenceRole.occurrence_id == occurrence)) == 2
    assert Occurrence  # the multi-role occurrence above was among the pages
