"""What the demo's steps share: the load's context and the bulk inserts."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import insert

PHONE_PREFIXES = ("139", "138", "137", "136", "135", "159", "158", "150", "151", "152",
                  "187", "188", "133", "153", "180", "189", "130", "131", "132", "155",
                  "156", "186", "177", "199")


class Context:
    """What all copies share: the clock, the zone, the phone counter."""

    def __init__(self, *, now, zone, zone_name, start_date, horizon_end, password_hash,
                 taken_usernames):
        self.now = now
        self.zone = zone
        self.zone_name = zone_name
        self.start_date: date = start_date
        self.horizon_end = horizon_end
        self.password_hash = password_hash
        self.taken_usernames = taken_usernames
        self.phone_counter = 0
        self.person_counter = 0

    def next_phone(self) -> str:
        """Return an 11-digit mobile-like number, unique over the whole load.

        The counter gives a scrambled 8-digit tail (61803399 is coprime with 10**8, so
        the tail alone never repeats below 10**8 numbers) and picks a prefix.
        """
        i = self.phone_counter
        self.phone_counter += 1
        tail = (i * 61_803_399 + 4_620_025) % 100_000_000
        prefix = PHONE_PREFIXES[(i * 7 + tail) % len(PHONE_PREFIXES)]
        return f"{prefix}{tail:08d}"

    def local_utc(self, day: date, at: time) -> datetime:
        """Return the UTC instant of local wall-clock ``at`` on ``day``."""
        return datetime.combine(day, at).replace(tzinfo=self.zone).astimezone(timezone.utc)


def insert_ids(session, model, rows: list[dict]) -> list[int]:
    """Bulk insert ``rows`` and return their new ids in the same order.

    Core, not the ORM bulk path: the ORM groups rows by which values are None and
    then sends one INSERT per row. Chunked because SQLite cannot order RETURNING in
    a batch, so SQLAlchemy goes row by row there and splices results as it goes.
    """
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    connection = session.connection()
    ids: list[int] = []
    for begin in range(0, len(rows), 200):
        ids.extend(connection.execute(statement, rows[begin:begin + 200]).scalars())
    return ids


def insert_rows(session, model, rows: list[dict]) -> None:
    """Bulk insert ``rows`` (every column given) as one executemany."""
    if rows:
        session.connection().execute(insert(model.__table__), rows)
