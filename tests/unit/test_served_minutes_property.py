"""``domain.attendance.served_minutes`` for any times: never negative, never above the
occurrence's length plus the grace, nothing unless the person took part."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.domain.attendance import SERVED, served_minutes
from coordinator.vocab import ATTENDANCE_STATUSES

BASE = datetime(2026, 6, 1, 11, 30, tzinfo=timezone.utc)
minutes = st.integers(min_value=-3000, max_value=3000)
maybe = st.one_of(st.none(), minutes)


def at(offset):
    return None if offset is None else BASE + timedelta(minutes=offset)


@settings(max_examples=150, deadline=None)
@given(status=st.sampled_from(list(ATTENDANCE_STATUSES)),
       length=st.integers(min_value=1, max_value=1440), grace=st.integers(0, 120),
       start=maybe, end=maybe)
def test_served_minutes_stays_within_the_occurrence(status, length, grace, start, end):
    served = served_minutes(status, BASE, BASE + timedelta(minutes=length), at(start),
                            at(end), timedelta(minutes=grace))
    assert 0 <= served <= length + grace
    if status not in SERVED:
        assert served == 0
    if status in SERVED and start is None and end is None:
        assert served == length  # as planned: the scheduled length
