"""Every refusal of the eligibility rule, one row each: the facts that trigger it, the
code and the message. Domain only (no app): the rule lives in ``domain/eligibility.py``."""
from __future__ import annotations

import inspect
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from coordinator.domain import eligibility
from coordinator.domain.eligibility import (
    Busy,
    PersonFacts,
    Problem,
    SlotFacts,
    WeeklyWindow,
    refusals,
)

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc)  # Monday, noon in Shanghai
START = datetime(2026, 3, 4, 11, 30, tzinfo=timezone.utc)  # Wednesday 19:30 local
SLOT = SlotFacts(role_id=1, start_at=START, end_at=START + timedelta(hours=2),
                 status="scheduled", required_team_id=7, signup_opens_days=7,
                 zone="Asia/Shanghai", community_id=1)
PERSON = PersonFacts(person_id=1, status="active", away_from=None, away_until=None,
                     team_ids=frozenset({7}), community_id=1)
WEDNESDAY = date(2026, 3, 4)

# (code, what is changed in the person, what is changed in the slot, message, is soft)
ROWS = [
    ("cancelled", {}, {"status": "cancelled"}, "This occurrence is cancelled.", False),
    ("past", {}, {"start_at": NOW - timedelta(minutes=1), "end_at": NOW + timedelta(hours=1),
                  "signup_opens_days": None},
     "This shift has already started.", False),
    ("team", {"team_ids": frozenset({8})}, {"community_id": None},
     "Only members of the required team can take this place.", False),
    ("lead", {}, {"is_lead": True}, "Only a team lead can take this place.", False),
    ("community", {"community_id": 2}, {"required_team_id": None},
     "This shift belongs to another community.", False),
    ("inactive", {"status": "inactive"}, {}, "This member is marked inactive.", False),
    ("window", {}, {"signup_opens_days": 1}, "Sign-up for this date opens on %(date)s.", True),
    ("overlap", {"busy": (Busy("晚间巡逻", START + timedelta(hours=1),
                               START + timedelta(hours=3)),)}, {},
     "Already busy then: %(title)s, %(start)s–%(end)s.", False),
    ("away", {"status": "away", "away_from": WEDNESDAY, "away_until": WEDNESDAY}, {},
     "This member is away on that date.", True),
    ("unavailable", {"ranges": ((WEDNESDAY, WEDNESDAY),)}, {},
     "This member said they are not available on that date.", True),
    ("unavailable", {"weekly": (WeeklyWindow(2, time(19), time(20)),)}, {},
     "This member said they cannot do this weekday and time.", True),
    ("weekly_limit", {"max_per_week": 2, "shifts_that_week": 2}, {},
     "This member has reached their limit of %(n)s shifts this week.", True),
]


def test_the_base_facts_are_allowed():
    assert refusals(PERSON, SLOT, NOW) == []


@pytest.mark.parametrize("code,person,slot,message,soft", ROWS,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_each_refusal(code, person, slot, message, soft):
    found = refusals(replace(PERSON, **person), replace(SLOT, **slot), NOW)
    assert [(r.code, r.message, r.is_soft) for r in found] == [(code, message, soft)]


def test_the_table_names_every_code_of_the_rule():
    source = inspect.getsource(eligibility.refusals)
    codes = set(re.findall(r'Refusal\((?:[^()]|\([^()]*\))*?"([a-z_]+)"[,)]', source))
    assert codes and codes == {row[0] for row in ROWS}


def test_a_lead_of_the_team_may_take_a_lead_place_and_staff_skip_window_and_community():
    lead = replace(PERSON, lead_team_ids=frozenset({7}))
    assert refusals(lead, replace(SLOT, is_lead=True), NOW) == []
    staff = replace(SLOT, is_staff_action=True, signup_opens_days=1, required_team_id=None)
    assert refusals(replace(PERSON, community_id=2), staff, NOW) == []


def test_messages_carry_their_parameters():
    window, = refusals(PERSON, replace(SLOT, signup_opens_days=1), NOW)
    assert window.params == {"date": "2026-03-03 19:30"}
    busy = Busy("晚间巡逻", START + timedelta(hours=1), START + timedelta(hours=3))
    overlap, = refusals(replace(PERSON, busy=(busy,)), SLOT, NOW)
    assert overlap.params == {"title": "晚间巡逻", "start": "03-04 20:30", "end": "22:30"}
    limit, = refusals(replace(PERSON, max_per_week=2, shifts_that_week=2), SLOT, NOW)
    assert limit.params == {"n": 2, "limit": 2, "count": 2}


def test_soft_refusals_say_which_rule_with_its_numbers():
    """What a coordinator overrides is data: the rule and the numbers to word it with."""
    limit, = refusals(replace(PERSON, max_per_week=2, shifts_that_week=3), SLOT, NOW)
    assert limit.problem == Problem("weekly_limit", (("count", 3), ("limit", 2), ("n", 2)))
    day = START.astimezone(ZoneInfo(SLOT.zone)).date()
    dates, = refusals(replace(PERSON, ranges=((day, day + timedelta(days=2)),)), SLOT, NOW)
    assert (dates.code, dates.problem.get("start"), dates.problem.get("end")) == (
        "unavailable", day, day + timedelta(days=2))
    local = START.astimezone(ZoneInfo(SLOT.zone))
    window = WeeklyWindow(local.weekday(), time(18, 0), time(21, 0))
    weekly, = refusals(replace(PERSON, weekly=(window,)), SLOT, NOW)
    assert (weekly.problem.get("weekday"), weekly.problem.get("start"),
            weekly.problem.get("end")) == (local.weekday(), time(18, 0), time(21, 0))
    away, = refusals(replace(PERSON, status="away", away_until=day), SLOT, NOW)
    assert (away.problem.get("start"), away.problem.get("end")) == (None, day)


def test_every_refusal_message_has_its_chinese_translation():
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).parents[2] / "coordinator/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    for _code, _person, _slot, message, _soft in ROWS:
        entry = catalogue.get(message)
        assert entry is not None and entry.string and not entry.fuzzy, message
