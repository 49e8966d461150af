"""Property tests of the pure rules: expansion and intervals."""
from datetime import date, datetime, time, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.domain.intervals import overlaps
from coordinator.domain.recurrence import build_rule, expand

UTC = timezone.utc
zones = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


@settings(max_examples=200, deadline=None)
@given(zone=zones, start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
       at=st.times(), minutes=st.integers(1, 24 * 60),
       freq=st.sampled_from(["daily", "weekly", "monthly"]),
       days=st.lists(st.integers(0, 6), min_size=1, max_size=7),
       month_day=st.integers(1, 31), weeks=st.integers(1, 20))
def test_expansion_stays_in_window_sorted_unique_and_keeps_wall_clock(
        zone, start, at, minutes, freq, days, month_day, weeks):
    from zoneinfo import ZoneInfo
    at = at.replace(microsecond=0, tzinfo=None)
    rule = build_rule(freq, days, month_day)
    lo = datetime.combine(start, time(0), UTC) - timedelta(days=3)
    hi = lo + timedelta(weeks=weeks)
    slots = expand(start_date=start, start_time=at, duration=timedelta(minutes=minutes),
                   zone_name=zone, rule=rule, until=None, window_start=lo, window_end=hi)
    starts = [s.start_at for s in slots]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for slot in slots:
        assert lo <= slot.start_at < hi
        assert slot.end_at - slot.start_at == timedelta(minutes=minutes)
        local = slot.start_at.astimezone(ZoneInfo(zone))
        # The wall clock is kept, except when it falls in a DST gap (moved forward).
        assert local.time() == at or local.utcoffset() != local.replace(
            hour=12).utcoffset() or (local - timedelta(hours=2)).utcoffset() != local.utcoffset()
        assert local.date() >= start


@given(a=st.integers(0, 100), la=st.integers(1, 50), b=st.integers(0, 100), lb=st.integers(1, 50))
def test_overlap_is_symmetric_and_half_open(a, la, b, lb):
    t = datetime(2026, 1, 1, tzinfo=UTC)
    m = lambda x: t + timedelta(minutes=x)  # noqa: E731
    result = overlaps(m(a), m(a + la), m(b), m(b + lb))
    assert result == overlaps(m(b), m(b + lb), m(a), m(a + la))
    assert result == (max(a, b) < min(a + la, b + lb))
