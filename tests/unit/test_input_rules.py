"""The input rules (domain.text, domain.dates) as tables and properties."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.domain.dates import check_birth_year, check_schedule_date, schedule_range
from coordinator.domain.errors import DomainError
from coordinator.domain.text import normalise, parse_int, printable, refused_characters
from coordinator.services.people.accounts import normalise_phone

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize("raw,expected", [("12", 12), ("１２", 12), (" 7 ", 7), ("²", 2),
                                          ("٣", None), ("-1", None), ("1e3", None), ("", None),
                                          ("9" * 5000, None), ("2147483648", None), (None, None)])
def test_parse_int(raw, expected):
    assert parse_int(raw, 1, 2**31 - 1) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_int_never_raises_and_stays_in_range(raw):
    value = parse_int(raw, 1, 1000)
    assert value is None or 1 <= value <= 1000


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_printable_keeps_no_control_character_but_newline_and_tab(raw):
    cleaned = printable(raw)
    assert all(unicodedata.category(ch) not in ("Cc", "Cs") or ch in "\n\t" for ch in cleaned)
    assert refused_characters(cleaned, multiline=True) == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(raw):
    assert normalise(normalise(raw)) == normalise(raw)


def test_refused_characters():
    assert refused_characters("a\x00b\x0b") == "\x00\x0b"
    assert refused_characters("一\n二\t三", multiline=True) == ""
    assert refused_characters("一\n二") == "\n"


@pytest.mark.parametrize("day,ok", [(date(2025, 3, 1), True), (date(2025, 2, 28), False),
                                    (date(2031, 3, 1), True), (date(2031, 3, 2), False),
                                    (date(1, 1, 1), False), (date(9999, 12, 31), False)])
def test_schedule_dates(day, ok):
    if ok:
        check_schedule_date(day, TODAY, "start_date")
    else:
        with pytest.raises(DomainError) as caught:
            check_schedule_date(day, TODAY, "start_date")
        assert caught.value.field == "start_date"


def test_schedule_range_on_29_february():
    assert schedule_range(date(2028, 2, 29)) == (date(2027, 2, 28), date(2033, 2, 28))


@pytest.mark.parametrize("year,ok", [(1900, True), (2020, True), (1899, False), (9999, False)])
def test_birth_years(year, ok):
    if ok:
        check_birth_year(year)
    else:
        with pytest.raises(DomainError):
            check_birth_year(year)


# --- issue 13, item 10: digits as a Chinese phone types them -------------------------------

FULL_WIDTH = st.sampled_from("０１２３４５６７８９")
INVISIBLE = st.sampled_from("\u200b\u200c\u200d\u2060\ufeff")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(FULL_WIDTH, st.lists(INVISIBLE, max_size=2)), min_size=1,
                max_size=18))
def test_full_width_digits_with_invisible_characters_read_as_the_plain_number(parts):
    typed = "".join(digit + "".join(junk) for digit, junk in parts)
    plain = "".join(str(ord(digit) - ord("０")) for digit, _ in parts)
    assert normalise(typed) == plain
    assert parse_int(typed, 0, 10**18) == int(plain)
    if not plain.startswith("86"):  # "86…" may be the country code, dropped
        assert normalise_phone(typed) == plain


def test_a_long_value_is_no_number_rather_than_a_cut_one():
    assert parse_int("\u200b" * 199 + "12", 1, 100) is None
    assert parse_int("\u200b" * 150 + "12", 1, 100) == 12
