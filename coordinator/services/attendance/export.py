"""Service records of a community and period as a table, for the national volunteer
information system: one row per person and service, CSV (UTF-8 with a byte-order mark,
so that spreadsheet programs read Chinese) and .xlsx (openpyxl).

Phones are in it: only the community's coordinators and admins export
(``access.export_allowed``, checked by the caller's ``rows``). ID numbers only when the
organisation collects them (``settings.collect_id_numbers``).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select

from ...domain.attendance import SERVED
from ...domain.errors import Forbidden
from ...domain.text import printable
from ...models import Account, AttendanceEntry, Occurrence, Person, Series
from ..access import export_allowed
from ..plan.export import FORMULA_START
from . import AttendanceSettings
from .certificates import check_period, local_today

# The columns, in order; ``id_number`` only when collected.
COLUMNS = ("name", "phone", "volunteer_number", "id_number", "date", "start", "end",
           "hours", "activity", "kind", "organisation", "source")


def columns(settings: AttendanceSettings) -> tuple[str, ...]:
    return tuple(c for c in COLUMNS if c != "id_number" or settings.collect_id_numbers)


def rows(session, actor: Account, community_id: int, start: date | None, end: date | None,
         now: datetime, settings: AttendanceSettings, kinds: dict, sources: dict
         ) -> list[list]:
    """The rows of the export (``kinds``/``sources``: labels in the reader's language)."""
    if not export_allowed(session, actor, community_id):
        raise Forbidden("Only the community's coordinators export its service records.")
    check_period(start, end, local_today(now, settings.zone))
    tz = ZoneInfo(settings.zone)
    lo = datetime.combine(start, time(0), tz)
    hi = datetime.combine(end + timedelta(days=1), time(0), tz)
    e = AttendanceEntry
    query = (select(Person.full_name, Person.phone, Person.volunteer_number, Person.id_number,
                    e.actual_start, e.actual_end, e.start_at, e.minutes, Series.title, e.kind,
                    e.source)
             .join(Person, e.person_id == Person.id)
             .join(Occurrence, e.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .where(e.community_id == community_id, e.status.in_(SERVED),
                    e.is_service.is_(True), e.start_at >= lo, e.start_at < hi)
             .order_by(e.start_at, Person.full_name, e.id))
    out = []
    for name, phone, vol_no, id_no, a_start, a_end, s_start, minutes, title, kind, source \
            in session.execute(query):
        begin = (a_start or s_start).astimezone(tz)
        finish = a_end.astimezone(tz) if a_end else None
        row = {"name": name, "phone": phone or "", "volunteer_number": vol_no or "",
               "id_number": id_no or "", "date": begin.date().isoformat(),
               "start": begin.strftime("%H:%M"),
               "end": finish.strftime("%H:%M") if finish else "",
               "hours": round(minutes / 60, 2), "activity": title,
               "kind": str(kinds.get(kind, kind)), "organisation": settings.organisation,
               "source": str(sources.get(source, source))}
        out.append([printable(v, keep="") if isinstance(v, str) else v
                    for v in (row[c] for c in columns(settings))])
    return out


def _formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def to_csv(headers: Iterable[str], table: Iterable[list]) -> bytes:
    """CSV with a byte-order mark; a text starting like a formula gets a leading '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(headers))
    writer.writerows([f"'{v}" if _formula_like(v) else v for v in row] for row in table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(headers: Iterable[str], table: Iterable[list], sheet_title: str) -> bytes:
    """An .xlsx sheet; a text starting like a formula stays text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in table:
        line = []
        for v in row:
            cell = WriteOnlyCell(sheet, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            line.append(cell)
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
