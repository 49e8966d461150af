"""Recurrence expansion: local wall-clock times, UTC storage, DST, bad rules."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from coordinator.domain.errors import DomainError
from coordinator.domain.intervals import overlaps
from coordinator.domain.recurrence import build_rule, expand, local_day_bounds

UTC = timezone.utc


def _expand(rule, start=date(2026, 3, 1), at=time(19, 30), zone="Asia/Shanghai", until=None,
            days=60, minutes=120):
    lo = datetime(2026, 1, 1, tzinfo=UTC)
    return expand(start_date=start, start_time=at, duration=timedelta(minutes=minutes),
                  zone_name=zone, rule=rule, until=until, window_start=lo,
                  window_end=lo + timedelta(days=days + 400))


def test_daily_evening_patrol_in_shanghai_is_1130_utc():
    slots = _expand("FREQ=DAILY", until=date(2026, 3, 7))
    assert len(slots) == 7
    assert slots[0].start_at == datetime(2026, 3, 1, 11, 30, tzinfo=UTC)
    assert slots[0].end_at == datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    assert slots[-1].start_at == datetime(2026, 3, 7, 11, 30, tzinfo=UTC)
    assert all(s.recurrence_id == s.start_at for s in slots)


def test_study_day_on_the_25th_of_each_month():
    slots = _expand("FREQ=MONTHLY;BYMONTHDAY=25", start=date(2026, 1, 1), at=time(9, 0),
                    until=date(2026, 6, 30))
    assert [s.start_at.day for s in slots] == [25] * 6
    assert [s.start_at.month for s in slots] == [1, 2, 3, 4, 5, 6]
    assert slots[0].start_at == datetime(2026, 1, 25, 1, 0, tzinfo=UTC)


def test_berlin_keeps_wall_clock_across_spring_forward():
    # DST starts in Europe/Berlin on 2026-03-29: 19:30 is 18:30 UTC before, 17:30 after.
    slots = _expand("FREQ=DAILY", start=date(2026, 3, 27), zone="Europe/Berlin",
                    until=date(2026, 3, 30))
    assert [s.start_at.hour for s in slots] == [18, 18, 17, 17]
    assert all(s.end_at - s.start_at == timedelta(hours=2) for s in slots)


def test_berlin_time_in_the_gap_moves_forward():
    # 02:30 does not exist on 2026-03-29 in Berlin; RFC 5545 reads it with the old offset.
    slots = _expand("FREQ=DAILY", start=date(2026, 3, 28), at=time(2, 30), zone="Europe/Berlin",
                    until=date(2026, 3, 30))
    assert slots[1].start_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_berlin_ambiguous_time_takes_first_occurrence():
    # 02:30 happens twice on 2026-10-25; the first is still CEST (UTC+2).
    slots = _expand("FREQ=DAILY", start=date(2026, 10, 25), at=time(2, 30), zone="Europe/Berlin",
                    until=date(2026, 10, 25))
    assert slots[0].start_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_single_event_has_one_slot_and_window_filters():
    assert len(_expand(None)) == 1
    lo = datetime(2027, 1, 1, tzinfo=UTC)
    assert expand(start_date=date(2026, 3, 1), start_time=time(9), duration=timedelta(hours=1),
                  zone_name="Asia/Shanghai", rule=None, until=None, window_start=lo,
                  window_end=lo + timedelta(days=1)) == []


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=MINUTELY;INTERVAL=1", "nonsense",
                                  "FREQ=DAILY;BYDAY=XX", "DTSTART:20260101T000000",
                                  "FREQ=DAILY\nRRULE:FREQ=DAILY", ""])
def test_bad_rules_are_refused_with_the_rule_field(rule):
    with pytest.raises(DomainError) as err:
        _expand(rule or " ")
    assert err.value.field == "rrule"


def test_unknown_zone_and_bad_duration_refused():
    with pytest.raises(DomainError):
        _expand("FREQ=DAILY", zone="Mars/Olympus")
    with pytest.raises(DomainError):
        _expand("FREQ=DAILY", minutes=0)


@pytest.mark.parametrize("args,expected", [
    (("once",), None),
    (("daily",), "FREQ=DAILY"),
    (("weekly", [1, 4]), "FREQ=WEEKLY;BYDAY=TU,FR"),
    (("monthly", None, 25), "FREQ=MONTHLY;BYMONTHDAY=25"),
    (("weekly", [0], None, 2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
])
def test_plain_words_build_rules(args, expected):
    assert build_rule(*args) == expected


@pytest.mark.parametrize("args,field", [(("weekly", []), "weekdays"),
                                        (("monthly", None, 32), "month_day"),
                                        (("fortnightly",), "frequency"),
                                        (("daily", None, None, 0), "interval")])
def test_plain_words_refuse_bad_choices(args, field):
    with pytest.raises(DomainError) as err:
        build_rule(*args)
    assert err.value.field == field


@pytest.mark.parametrize("a,b,clash", [
    ((9, 11), (11, 13), False),  # back to back
    ((9, 11), (10, 12), True),
    ((9, 13), (10, 11), True),
    ((9, 10), (8, 9), False),
])
def test_half_open_intervals(a, b, clash):
    d = datetime(2026, 1, 1, tzinfo=UTC)
    h = lambda x: d + timedelta(hours=x)  # noqa: E731
    assert overlaps(h(a[0]), h(a[1]), h(b[0]), h(b[1])) is clash
    assert overlaps(h(b[0]), h(b[1]), h(a[0]), h(a[1])) is clash


def test_local_day_bounds_in_shanghai():
    lo, hi = local_day_bounds(date(2026, 11, 27), "Asia/Shanghai")
    assert lo == datetime(2026, 11, 26, 16, tzinfo=UTC) and hi - lo == timedelta(days=1)
