"""The pure rules of the roll: its window, typed times, star levels, the masked name."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coordinator.domain.attendance import (
    RollWindow,
    check_times,
    mask_name,
    next_milestone,
    served_minutes,
    star_level,
)
from coordinator.domain.errors import DomainError

START = datetime(2026, 12, 1, 11, 30, tzinfo=timezone.utc)
END = START + timedelta(hours=2)
NOW = END + timedelta(hours=1)
LEVELS = (100, 300, 600, 1000, 1500)


@pytest.mark.parametrize("now, state", [
    (START - timedelta(minutes=31), "early"), (START - timedelta(minutes=30), "open"),
    (END + timedelta(days=3), "open"), (END + timedelta(days=3, seconds=1), "closed")])
def test_the_roll_opens_half_an_hour_before_and_closes_three_days_after(now, state):
    assert RollWindow().state(START, END, now) == state


def test_minutes_default_to_the_scheduled_length_and_are_capped_with_the_grace():
    assert served_minutes("present", START, END, None, None) == 120
    assert served_minutes("late", START, END, START + timedelta(minutes=25), None) == 95
    assert served_minutes("left_early", START, END, None, START + timedelta(minutes=50)) == 50
    assert served_minutes("present", START, END, START - timedelta(hours=3), END) == 150
    for status in ("absent", "excused"):
        assert served_minutes(status, START, END, START, END) == 0


LATER = NOW + timedelta(days=2)


@pytest.mark.parametrize("start, end, now, words", [
    (START, START - timedelta(minutes=1), NOW, "before the time they arrived"),
    (START, START + timedelta(hours=24, minutes=1), LATER, "More than 24 hours"),
    (NOW + timedelta(minutes=1), None, NOW, "arrival time is in the future"),
    (None, NOW + timedelta(minutes=1), NOW, "left is in the future")])
def test_times_that_cannot_be_true_are_refused_on_their_field(start, end, now, words):
    with pytest.raises(DomainError) as refused:
        check_times(start, end, now)
    assert words in refused.value.message
    assert refused.value.field == ("actual_start" if end is None else "actual_end")


def test_true_times_pass():
    check_times(START, END, NOW)
    check_times(START, START + timedelta(hours=24), LATER)


def test_star_levels_at_their_thresholds():
    assert [star_level(h, LEVELS) for h in (0, 99.9, 100, 299, 300, 1499, 1500, 9000)] == \
        [0, 0, 1, 1, 2, 4, 5, 5]
    assert next_milestone(99, LEVELS) == 100 and next_milestone(100, LEVELS) == 300
    assert next_milestone(1500, LEVELS) is None


@pytest.mark.parametrize("name, masked", [
    ("张三明", "张*明"), ("王五", "王*"), ("欧阳小明", "欧**明"), ("李", "李"),
    ("Anna Schmidt", "A*** S******"), ("", "")])
def test_the_verification_page_masks_the_name(name, masked):
    assert mask_name(name) == masked
