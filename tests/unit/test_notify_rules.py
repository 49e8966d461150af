"""The pure rules of outgoing messages: quiet hours, channels, dedup keys, back-off, SMS
length, which reminder is due. Table-driven cases plus hypothesis properties."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.domain.notify import (
    SMS_LIMIT,
    backoff,
    channels_for,
    dedup_key,
    due_reminder,
    fit_sms,
    in_quiet_hours,
    is_urgent,
    quiet_end_ahead,
    quiet_until,
    sms_units,
)

UTC = timezone.utc
SH = "Asia/Shanghai"
times = st.times().map(lambda t: t.replace(microsecond=0, second=0))


@pytest.mark.parametrize("local,expected", [
    (time(20, 59), False), (time(21, 0), True), (time(23, 59), True), (time(0, 0), True),
    (time(6, 59), True), (time(7, 0), False), (time(12, 0), False)])
def test_default_quiet_hours_wrap_midnight(local, expected):
    assert in_quiet_hours(local, time(21), time(7)) is expected


def test_equal_bounds_mean_no_quiet_hours_and_daytime_windows_work():
    assert not any(in_quiet_hours(time(h), time(7), time(7)) for h in range(24))
    assert in_quiet_hours(time(13), time(12), time(14))
    assert not in_quiet_hours(time(14), time(12), time(14))


def test_quiet_until_is_the_next_morning_in_local_time():
    night = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert quiet_until(night, SH, time(21), time(7)) == datetime(2026, 11, 27, 23, 0,
                                                                   tzinfo=UTC)
    early = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 04:00 the next day in Shanghai
    assert quiet_until(early, SH, time(21), time(7)) == datetime(2026, 11, 27, 23, 0,
                                                                   tzinfo=UTC)
    day = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    assert quiet_until(day, SH, time(21), time(7)) == day


@settings(max_examples=300, deadline=None)
@given(now=st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31)).map(
           lambda d: d.replace(tzinfo=UTC)),
       start=times, end=times,
       zone=st.sampled_from([SH, "Europe/Berlin", "America/New_York", "UTC"]))
def test_quiet_until_ends_outside_quiet_hours_within_a_day(now, start, end, zone):
    until = quiet_until(now, zone, start, end)
    local = until.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    assert now <= until <= now + timedelta(hours=25)
    if until != now:
        # The first minute after the quiet hours (a DST gap may move the wall clock on).
        assert not in_quiet_hours(local, start, end) or zone != SH
        assert local == end or zone != SH
    else:
        assert not in_quiet_hours(now.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None),
                                  start, end)


@pytest.mark.parametrize("kw,expected", [
    ({"has_account": True, "email": "a@b", "phone": "1", "notify_email": None,
      "notify_sms": None}, ("app", "email")),
    ({"has_account": True, "email": None, "phone": "1", "notify_email": None,
      "notify_sms": None}, ("app", "sms")),
    ({"has_account": True, "email": None, "phone": None, "notify_email": True,
      "notify_sms": True}, ("app",)),
    ({"has_account": False, "email": None, "phone": "1", "notify_email": None,
      "notify_sms": None}, ("sms",)),
    ({"has_account": True, "email": "a@b", "phone": "1", "notify_email": False,
      "notify_sms": True}, ("app", "sms")),
])
def test_channels_follow_choices_and_contact_details(kw, expected):
    assert channels_for(**kw) == expected


@given(has_account=st.booleans(), email=st.one_of(st.none(), st.just("a@b")),
       phone=st.one_of(st.none(), st.just("139")),
       notify_email=st.one_of(st.none(), st.booleans()),
       notify_sms=st.one_of(st.none(), st.booleans()))
def test_people_with_an_account_always_get_in_app(has_account, email, phone, notify_email,
                                                  notify_sms):
    got = channels_for(has_account=has_account, email=email, phone=phone,
                       notify_email=notify_email, notify_sms=notify_sms)
    assert ("app" in got) is has_account
    assert "email" not in got or email
    assert "sms" not in got or phone
    assert len(set(got)) == len(got)


parts = st.text(alphabet=st.sampled_from("ab|%:7z"), max_size=6)


@settings(max_examples=500)
@given(a=st.tuples(parts, parts, parts, parts), b=st.tuples(parts, parts, parts, parts))
def test_dedup_keys_differ_exactly_when_their_parts_differ(a, b):
    assert (dedup_key(*a) == dedup_key(*b)) is (a == b)


@pytest.mark.parametrize("attempts,seconds", [(1, 60), (2, 120), (3, 240), (4, 480),
                                              (30, 6 * 3600)])
def test_backoff_doubles_and_is_capped(attempts, seconds):
    assert backoff(attempts, 60) == timedelta(seconds=seconds)


@settings(max_examples=300)
@given(head=st.text(max_size=12), title=st.text(max_size=200), tail=st.text(max_size=30),
       limit=st.integers(10, 160))
def test_sms_text_never_exceeds_the_limit(head, title, tail, limit):
    text = fit_sms(head, title, tail, limit)
    assert len(text.encode("utf-16-le")) // 2 <= limit  # what a gateway counts
    if len(head + title + tail) <= limit and sms_units(head + title + tail) <= limit:
        assert text == head + title + tail
    if title and sms_units(head) + 10 <= limit:
        assert text.startswith(head + title[:1])  # the title is never dropped whole


def test_a_long_place_is_shortened_before_the_title_disappears():
    tail = " 12月2日 周三 19:30 " + "第一社区老年活动中心二楼多功能厅东侧" * 3
    text = fit_sms("提醒：", "晚间义务巡逻", tail)
    assert sms_units(text) <= SMS_LIMIT
    assert text.startswith("提醒：晚间义务巡逻 12月2日 周三 19:30 ") and text.endswith("…")


def test_characters_outside_the_basic_plane_count_twice():
    rare = "\U00020BB7"  # 𠮷, a name character outside the BMP
    assert sms_units(rare * 3) == 6
    text = fit_sms("提醒：", rare * 60)
    assert sms_units(text) <= SMS_LIMIT and len(text) < SMS_LIMIT


def test_chinese_sms_keeps_time_and_place_and_shortens_the_title():
    text = fit_sms("提醒：", "晚间义务巡逻" * 20, " 11月28日 周六 19:30 一连社区巡逻路线")
    assert len(text) == SMS_LIMIT and text.startswith("提醒：晚间义务巡逻")
    assert text.endswith(" 11月28日 周六 19:30 一连社区巡逻路线") and "…" in text


START = datetime(2026, 11, 28, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize("hours_before,chosen,expected", [
    (30, (24, 2), None), (24, (24, 2), 24), (3, (24, 2), 24), (2, (24, 2), 2),
    (1, (24, 2), 2), (1, (24,), 24), (23, (2,), None), (0, (24, 2), None),
    (-1, (24, 2), None), (5, (), None)])
def test_the_closest_due_reminder_wins(hours_before, chosen, expected):
    assert due_reminder(START, START - timedelta(hours=hours_before), chosen) == expected


@given(before=st.integers(-100, 100), chosen=st.sets(st.sampled_from([24, 2])))
def test_a_due_reminder_is_always_ahead_of_the_shift(before, chosen):
    now = START - timedelta(hours=before)
    got = due_reminder(START, now, tuple(chosen))
    if got is not None:
        assert now < START and START - timedelta(hours=got) <= now and got in chosen


QUIET = (time(21), time(7))
HOUR = timedelta(minutes=60)


def _at(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("zone,notice,shift,expected", [
    # 22:30 notice, 08:00 shift: held to 07:00 still leaves an hour.
    (SH, (2026, 12, 1, 22, 30), (2026, 12, 2, 8, 0), False),
    (SH, (2026, 12, 1, 22, 30), (2026, 12, 2, 7, 30), True),
    (SH, (2026, 12, 1, 21, 30), (2026, 12, 1, 22, 0), True),
    (SH, (2026, 12, 2, 3, 0), (2026, 12, 2, 7, 59), True),
    (SH, (2026, 12, 2, 3, 0), (2026, 12, 2, 8, 0), False),
    (SH, (2026, 12, 1, 20, 59), (2026, 12, 2, 7, 30), True),  # the next quiet period
    (SH, (2026, 12, 1, 12, 0), (2026, 12, 2, 9, 0), False),
    (SH, (2026, 12, 1, 12, 0), (2026, 12, 3, 7, 30), False),  # not tonight's: tomorrow's
    # Europe/Berlin, spring forward (29 March 2026, 02:00 -> 03:00): the night is an hour
    # shorter; 07:00 local still ends the quiet hours.
    ("Europe/Berlin", (2026, 3, 28, 22, 30), (2026, 3, 29, 7, 30), True),
    ("Europe/Berlin", (2026, 3, 28, 22, 30), (2026, 3, 29, 8, 0), False),
    # Fall back (25 October 2026, 03:00 -> 02:00): an hour longer.
    ("Europe/Berlin", (2026, 10, 24, 22, 30), (2026, 10, 25, 7, 59), True),
    ("Europe/Berlin", (2026, 10, 24, 22, 30), (2026, 10, 25, 8, 0), False),
])
def test_urgent_when_holding_until_morning_leaves_less_than_the_margin(zone, notice,
                                                                       shift, expected):
    assert is_urgent(_at(zone, *shift), _at(zone, *notice), zone, *QUIET, HOUR) is expected


def test_urgency_with_a_daytime_window_no_quiet_hours_and_no_shift():
    now = _at(SH, 2026, 12, 1, 13, 30)
    siesta = (time(13), time(15))
    assert is_urgent(_at(SH, 2026, 12, 1, 15, 30), now, SH, *siesta, HOUR)
    assert not is_urgent(_at(SH, 2026, 12, 1, 16, 0), now, SH, *siesta, HOUR)
    assert not is_urgent(_at(SH, 2026, 12, 1, 14, 0), now, SH, time(7), time(7), HOUR)
    assert not is_urgent(None, now, SH, *QUIET, HOUR)


@pytest.mark.parametrize("zone,now,end", [
    (SH, (2026, 12, 1, 23, 0), (2026, 12, 2, 7, 0)),
    (SH, (2026, 12, 2, 6, 59), (2026, 12, 2, 7, 0)),
    (SH, (2026, 12, 2, 7, 0), (2026, 12, 3, 7, 0)),  # just ended: the next one's end
    (SH, (2026, 12, 1, 12, 0), (2026, 12, 2, 7, 0)),
    ("Europe/Berlin", (2026, 3, 28, 22, 30), (2026, 3, 29, 7, 0)),
    ("Europe/Berlin", (2026, 10, 24, 12, 0), (2026, 10, 25, 7, 0)),
])
def test_quiet_end_ahead_is_the_end_of_this_or_the_next_quiet_period(zone, now, end):
    assert quiet_end_ahead(_at(zone, *now), zone, *QUIET) == _at(zone, *end)
    assert quiet_end_ahead(_at(zone, *now), zone, time(7), time(7)) is None


@settings(max_examples=300, deadline=None)
@given(now=st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31)).map(
           lambda d: d.replace(tzinfo=UTC)),
       ahead=st.integers(1, 48 * 60), margin=st.integers(0, 180),
       zone=st.sampled_from([SH, "Europe/Berlin", "America/New_York"]))
def test_a_held_notice_still_arrives_a_margin_before_its_shift(now, ahead, margin, zone):
    start, gap = now + timedelta(minutes=ahead), timedelta(minutes=margin)
    urgent = is_urgent(start, now, zone, *QUIET, gap)
    held_until = quiet_until(now, zone, *QUIET)
    if held_until != now:  # in quiet hours: urgent exactly when waiting would be too late
        assert urgent is (start - held_until < gap)
    # Urgency only grows as the shift comes closer.
    assert not urgent or is_urgent(start - timedelta(minutes=1), now, zone, *QUIET, gap)
