"""Per community and day, the sums of its roll rows, kept by the database itself.

``attendance_days`` holds, for each community and local day (``attendance_entries.day``),
and in ``attendance_months`` for each community and local month, the counts the
participation summary shows: rows, taking part, services and their minutes,
rows of people expected (not walk-ins) and of those taking part, leave, and the study
day's rows. Triggers on ``attendance_entries`` keep them, so every path that writes the
roll (``roll.write_entry``, bulk loads, raw SQL, deletes by cascade) keeps them; the
summary of every community of a province then reads ~560,000 day rows grouped by month
instead of a year's 5.6 million roll rows.

The same triggers keep each person's first and last taking part (``people.first_part_at``,
``last_part_at``), which the "drifted away" rule reads.

A migration that rebuilds ``attendance_entries`` on SQLite (``batch_alter_table``) drops
its triggers and must create them again (``CREATE`` and ``PART_CREATE``); ``REBUILD`` and
``PART_REBUILD`` recompute what they keep from the rows.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import DDL, ForeignKey, Index, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .attendance import AttendanceEntry

SERVED_SQL = "{r}.status IN ('present', 'late', 'left_early')"
# Each column's share of one roll row ``{r}`` (NEW or OLD), as an integer expression.
SHARES = {
    "entries": "1",
    "taken_part": f"(CASE WHEN {SERVED_SQL} THEN 1 ELSE 0 END)",
    "services": f"(CASE WHEN {SERVED_SQL} AND {{r}}.is_service THEN 1 ELSE 0 END)",
    "service_minutes": f"(CASE WHEN {SERVED_SQL} AND {{r}}.is_service THEN {{r}}.minutes"
                       " ELSE 0 END)",
    "expected": "(CASE WHEN {r}.is_walk_in THEN 0 ELSE 1 END)",
    "expected_part": f"(CASE WHEN {SERVED_SQL} AND NOT {{r}}.is_walk_in THEN 1 ELSE 0 END)",
    "excused": "(CASE WHEN {r}.status = 'excused' THEN 1 ELSE 0 END)",
    "study_part": f"(CASE WHEN {SERVED_SQL} AND {{r}}.kind = 'meeting' THEN 1 ELSE 0 END)",
    "study_recorded": "(CASE WHEN {r}.kind = 'meeting' THEN 1 ELSE 0 END)",
}
COLUMNS = tuple(SHARES)


class _Sums:
    """The sums of a community's roll rows over a day or a month (``SHARES``)."""

    entries: Mapped[int] = mapped_column(default=0)
    taken_part: Mapped[int] = mapped_column(default=0)
    services: Mapped[int] = mapped_column(default=0)
    service_minutes: Mapped[int] = mapped_column(default=0)
    expected: Mapped[int] = mapped_column(default=0)
    expected_part: Mapped[int] = mapped_column(default=0)
    excused: Mapped[int] = mapped_column(default=0)
    study_part: Mapped[int] = mapped_column(default=0)
    study_recorded: Mapped[int] = mapped_column(default=0)


class AttendanceDay(_Sums, db.Model):
    """The sums of one community's roll rows on one local day (see the module)."""

    __tablename__ = "attendance_days"
    # The summary reads the last 30 and 90 days of every community: a range of days,
    # read from the index alone.
    __table_args__ = (Index("ix_attendance_days_day", "day", "community_id", *COLUMNS),)

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


class AttendanceMonth(_Sums, db.Model):
    """The same sums per community and local month (``month``: its first day), so the
    summary's twelve months read ~20,000 rows for a province, not ~560,000 days."""

    __tablename__ = "attendance_months"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)


# The first day of the month of a day ``{d}``, per dialect.
MONTH_OF = {"sqlite": "date({d}, 'start of month')",
            "postgresql": "CAST(date_trunc('month', {d}) AS date)"}


def _add_to(table: str, key: str, value: str, row: str) -> str:
    cols = ", ".join(COLUMNS)
    values = ", ".join(share.format(r=row) for share in SHARES.values())
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COLUMNS)
    return (f"INSERT INTO {table} (community_id, {key}, {cols}) "
            f"SELECT {row}.community_id, {value}, {values} "
            f"WHERE {row}.community_id IS NOT NULL "
            f"ON CONFLICT (community_id, {key}) DO UPDATE SET {sets};")


def _take_from(table: str, key: str, value: str, row: str) -> str:
    sets = ", ".join(f"{c} = {c} - {share.format(r=row)}" for c, share in SHARES.items())
    return (f"UPDATE {table} SET {sets} "
            f"WHERE community_id = {row}.community_id AND {key} = {value};")


def _add(row: str, dialect: str) -> str:
    """Add row ``row``'s shares to its community's day and month (inserted when missing)."""
    month = MONTH_OF[dialect].format(d=f"{row}.day")
    return (_add_to("attendance_days", "day", f"{row}.day", row) + "\n  "
            + _add_to("attendance_months", "month", month, row))


def _take(row: str, dialect: str) -> str:
    month = MONTH_OF[dialect].format(d=f"{row}.day")
    return (_take_from("attendance_days", "day", f"{row}.day", row) + "\n  "
            + _take_from("attendance_months", "month", month, row))


SQLITE = [
    f"""CREATE TRIGGER attendance_days_insert AFTER INSERT ON attendance_entries
BEGIN
  {_add('NEW', 'sqlite')}
END""",
    f"""CREATE TRIGGER attendance_days_delete AFTER DELETE ON attendance_entries
BEGIN
  {_take('OLD', 'sqlite')}
END""",
    f"""CREATE TRIGGER attendance_days_update AFTER UPDATE ON attendance_entries
BEGIN
  {_take('OLD', 'sqlite')}
  {_add('NEW', 'sqlite')}
END""",
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION attendance_days_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_take('OLD', 'postgresql')}
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_add('NEW', 'postgresql')}
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER attendance_days_keep AFTER INSERT OR DELETE OR UPDATE
ON attendance_entries FOR EACH ROW EXECUTE FUNCTION attendance_days_keep()""",
]

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS attendance_days_insert",
               "DROP TRIGGER IF EXISTS attendance_days_delete",
               "DROP TRIGGER IF EXISTS attendance_days_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS attendance_days_keep ON attendance_entries",
                   "DROP FUNCTION IF EXISTS attendance_days_keep()"],
}
CREATE = {"sqlite": SQLITE, "postgresql": POSTGRESQL}

# Each community's sums per day, straight from the rows (what the table must equal).
SUMS = ("SELECT e.community_id, e.day, "
        + ", ".join(f"SUM({share.format(r='e')})" for share in SHARES.values())
        + " FROM attendance_entries e WHERE e.community_id IS NOT NULL"
          " GROUP BY e.community_id, e.day")

# Each community's sums per month, from its days (what attendance_months must equal).
MONTH_SUMS = {
    dialect: (f"SELECT d.community_id, {month.format(d='d.day')} AS month, "
              + ", ".join(f"SUM(d.{c})" for c in COLUMNS)
              + f" FROM attendance_days d GROUP BY d.community_id, {month.format(d='d.day')}")
    for dialect, month in MONTH_OF.items()}

# Recompute the whole table from the roll rows (the migration's backfill, and a repair).
REBUILD = [
    "DELETE FROM attendance_days",
    f"INSERT INTO attendance_days (community_id, day, {', '.join(COLUMNS)}) {SUMS}",
]
MONTH_REBUILD = {
    dialect: ["DELETE FROM attendance_months",
              f"INSERT INTO attendance_months (community_id, month, {', '.join(COLUMNS)}) "
              f"{sums}"]
    for dialect, sums in MONTH_SUMS.items()}

# Each person's first and last taking part (``people.first_part_at``, ``last_part_at``):
# a new row taking part moves them outwards in O(1); a row that took part and changes or
# goes makes them recomputed from the person's rows (ix_attendance_person_start).
SERVED_IN = "IN ('present', 'late', 'left_early')"


def _widen(row: str, least: str, greatest: str) -> str:
    return (f"UPDATE people SET first_part_at = {least}, last_part_at = {greatest} "
            f"WHERE id = {row}.person_id;")


def _recompute(person: str) -> str:
    of = f"FROM attendance_entries a WHERE a.person_id = {person} AND a.status {SERVED_IN}"
    return (f"UPDATE people SET first_part_at = (SELECT MIN(a.start_at) {of}), "
            f"last_part_at = (SELECT MAX(a.start_at) {of}) WHERE id = {person};")


_SQLITE_WIDEN = _widen(
    "NEW",
    "CASE WHEN first_part_at IS NULL OR NEW.start_at < first_part_at THEN NEW.start_at"
    " ELSE first_part_at END",
    "CASE WHEN last_part_at IS NULL OR NEW.start_at > last_part_at THEN NEW.start_at"
    " ELSE last_part_at END")
_WATCHED = "status, start_at, person_id"

PART_SQLITE = [
    f"""CREATE TRIGGER people_part_insert AFTER INSERT ON attendance_entries
WHEN NEW.status {SERVED_IN}
BEGIN
  {_SQLITE_WIDEN}
END""",
    f"""CREATE TRIGGER people_part_delete AFTER DELETE ON attendance_entries
WHEN OLD.status {SERVED_IN}
BEGIN
  {_recompute('OLD.person_id')}
END""",
    f"""CREATE TRIGGER people_part_update AFTER UPDATE OF {_WATCHED} ON attendance_entries
WHEN OLD.status {SERVED_IN}
BEGIN
  {_recompute('OLD.person_id')}
  {_recompute('NEW.person_id')}
END""",
    f"""CREATE TRIGGER people_part_joined AFTER UPDATE OF {_WATCHED} ON attendance_entries
WHEN OLD.status NOT {SERVED_IN} AND NEW.status {SERVED_IN}
BEGIN
  {_SQLITE_WIDEN}
END""",
]

PART_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION people_part_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status {SERVED_IN} THEN
    {_recompute('OLD.person_id')}
    IF TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id THEN
      {_recompute('NEW.person_id')}
    END IF;
  ELSIF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status {SERVED_IN} THEN
    {_widen('NEW', 'LEAST(first_part_at, NEW.start_at)', 'GREATEST(last_part_at, NEW.start_at)')}
  END IF;
  RETURN NULL;
END
$$""",
    f"""CREATE TRIGGER people_part_keep AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED}
ON attendance_entries FOR EACH ROW EXECUTE FUNCTION people_part_keep()""",
]
PART_CREATE = {"sqlite": PART_SQLITE, "postgresql": PART_POSTGRESQL}

# Every person's first and last taking part, straight from the rows (a repair, the tests).
PART_SPANS = ("SELECT a.person_id AS person_id, MIN(a.start_at) AS first_at,"
              " MAX(a.start_at) AS last_at FROM attendance_entries a"
              f" WHERE a.status {SERVED_IN} GROUP BY a.person_id")
PART_REBUILD = [
    "UPDATE people SET first_part_at = NULL, last_part_at = NULL",
    f"UPDATE people SET first_part_at = s.first_at, last_part_at = s.last_at"
    f" FROM ({PART_SPANS}) AS s WHERE people.id = s.person_id",
]
PART_DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS people_part_{t}"
               for t in ("insert", "delete", "update", "joined")],
    "postgresql": ["DROP TRIGGER IF EXISTS people_part_keep ON attendance_entries",
                   "DROP FUNCTION IF EXISTS people_part_keep()"],
}

# create_all (the tests' schema) gets the same triggers as the migrations.
for _dialect, _statements in (*CREATE.items(), *PART_CREATE.items()):
    for _statement in _statements:
        event.listen(AttendanceEntry.__table__, "after_create",
                     DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))
