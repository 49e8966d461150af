"""Each closed vocabulary is defined once (coordinator/vocab.py): every code has a label
with a Chinese translation, and the database's CHECKs allow exactly the vocabulary's codes.

No app fixture: the vocabularies and the models' table metadata import without one."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from coordinator import vocab
from coordinator.extensions import db
from coordinator.models import Unavailability

CATALOGUE = (Path(vocab.__file__).parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
             / "messages.po")

# (table, column) -> the vocabulary its CHECK must list, in the same order.
CHECKED = {
    ("accounts", "role"): vocab.ROLES,
    ("accounts", "text_size"): vocab.TEXT_SIZES,
    ("people", "status"): vocab.PERSON_STATUSES,
    ("teams", "kind"): vocab.TEAM_KINDS,
    ("venues", "kind"): vocab.VENUE_KINDS,
    ("series", "kind"): vocab.SERIES_KINDS,
    ("series", "participation"): vocab.PARTICIPATION,
    ("occurrences", "status"): vocab.OCCURRENCE_STATUSES,
    ("assignments", "status"): vocab.ASSIGNMENT_STATUSES,
    ("swap_offers", "status"): vocab.SWAP_STATUSES,
    ("feed_tokens", "scope"): vocab.FEED_SCOPES,
    ("deliveries", "status"): vocab.DELIVERY_STATUSES,
    ("deliveries", "channel"): vocab.CHANNELS,
    ("attendance_entries", "status"): vocab.ATTENDANCE_STATUSES,
    ("attendance_entries", "source"): vocab.ATTENDANCE_SOURCES,
    ("attendance_entries", "kind"): vocab.SERIES_KINDS,
    ("attendance_corrections", "status"): vocab.ATTENDANCE_STATUSES,
    ("attendance_corrections", "state"): vocab.CORRECTION_STATUSES,
    ("care_recipients", "place"): vocab.CARE_PLACES,
    ("care_recipients", "reason"): vocab.CARE_REASONS,
    ("care_recipients", "status"): vocab.CARE_STATUSES,
    ("care_visit_logs", "condition"): vocab.CARE_CONDITIONS,
}
# Vocabularies without an IN (...) CHECK: weekdays are a BETWEEN (tested below), delivery
# kinds are free text in the database (the planner writes them); the audit log's words
# label free-text codes and names. Leave reasons are a nullable column: its CHECK reads
# "leave_reason IS NULL OR leave_reason IN (...)" (tested with the roll).
UNCHECKED = {"WEEKDAYS", "DELIVERY_KINDS", "AUDIT_ACTIONS", "AUDIT_ENTITIES", "AUDIT_FIELDS",
             "PERSON_FIELDS", "OVERRIDABLE_RULES", "LEAVE_REASONS",
             "CARE_NEEDS"}  # needs are four boolean columns of the visit log
_IN = re.compile(r"^(\w+) IN \((.*)\)$")


def _in_checks() -> dict[tuple[str, str], tuple]:
    found = {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            match = _IN.match(str(getattr(constraint, "sqltext", "")))
            if match:
                found[(table.name, match[1])] = ast.literal_eval(f"({match[2]},)")
    return found


@pytest.fixture(scope="module")
def chinese():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("name", sorted(vocab.ALL))
def test_every_code_has_a_label_translated_into_chinese(name, chinese):
    vocabulary = vocab.ALL[name]
    assert vocabulary.codes and len(set(vocabulary.codes)) == len(vocabulary.codes)
    for code in vocabulary.codes:
        msgid = str(vocabulary[code])  # outside a request: the English msgid
        assert msgid and msgid != str(code), (name, code)
        message = chinese.get(msgid)
        assert message is not None and message.string and not message.fuzzy, (name, msgid)
        assert vocabulary.label(code) == msgid
        assert (code, vocabulary[code]) in vocabulary.choices()


def test_the_database_checks_list_exactly_the_vocabularies_codes():
    assert _in_checks() == {key: v.codes for key, v in CHECKED.items()}
    listed = {name for name, v in vocab.ALL.items() if any(v is c for c in CHECKED.values())}
    assert listed | UNCHECKED == set(vocab.ALL)


def test_weekdays_are_the_ones_the_availability_check_allows():
    shape = next(str(c.sqltext) for c in Unavailability.__table__.constraints
                 if "weekday BETWEEN" in str(getattr(c, "sqltext", "")))
    low, high = re.search(r"weekday BETWEEN (\d) AND (\d)", shape).groups()
    assert vocab.WEEKDAYS.codes == tuple(range(int(low), int(high) + 1))
    assert vocab.WEEKDAYS.label(0) == "Monday"


def test_an_unknown_code_shows_as_itself():
    assert vocab.SERIES_KINDS.label("unknown") == "unknown"
    assert "unknown" not in vocab.SERIES_KINDS and "care" in vocab.SERIES_KINDS
