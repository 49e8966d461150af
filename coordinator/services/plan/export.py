"""The week as a table: one row per occurrence and role, with the assigned names.

Writers for CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read Chinese)
and Excel (.xlsx through openpyxl's write-only mode, which streams rows; with lxml
installed openpyxl writes them through lxml's incremental writer, about a fifth faster for
a province-size week of 230,000 rows than its pure-Python fallback).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ...domain.text import printable
from . import Entry


@dataclass(frozen=True)
class Texts:
    """Translated words, prepared by the caller in the reader's language."""

    headers: tuple[str, ...]  # the COLUMNS, in order
    kinds: dict
    weekdays: tuple[str, ...]  # Monday first
    scheduled: str
    cancelled: str
    care_visit: str
    list_sep: str = "、"
    # A team event's head-count, in the Role column: "Expected %(expected)s (…)".
    turnout: str = "%(expected)s (%(confirmed)s, %(declined)s)"


COLUMNS = ("date", "weekday", "start", "end", "community", "team", "venue", "kind", "title",
           "role", "needed", "filled", "missing", "status", "reason", "names")


def rows(entries: Iterable[Entry], zone: str, texts: Texts) -> Iterable[list]:
    """One list per occurrence and role (an occurrence without slots gives one row).

    Texts come cleaned of control characters: a row written before input was cleaned may
    hold a vertical tab or a NUL, which openpyxl refuses and spreadsheets misread."""
    tz = ZoneInfo(zone)
    for entry in entries:
        start: datetime = entry.start_at.astimezone(tz)
        end: datetime = entry.end_at.astimezone(tz)
        kind = str(texts.kinds.get(entry.kind, entry.kind))
        base = [start.date().isoformat(), texts.weekdays[start.weekday()],
                start.strftime("%H:%M"), end.strftime("%H:%M"), entry.community or "",
                entry.team or "", entry.venue or "", kind,
                texts.care_visit if entry.is_private else entry.title]
        status = texts.scheduled if entry.status == "scheduled" else texts.cancelled
        lines = entry.roles or [None]
        for role in lines:
            if role is None and entry.participation == "team" and entry.status == "scheduled":
                # Needed: who is expected (members minus declines); Filled: who said yes.
                t = entry.turnout
                counts = [texts.turnout % {"expected": t.expected, "confirmed": t.confirmed,
                                           "declined": t.declined}, t.expected, t.confirmed, ""]
            elif role is None:
                counts = ["", "", "", ""]
            else:
                counts = [role.name, role.needed, role.filled,
                          role.missing if entry.status == "scheduled" else 0]
            yield [printable(v, keep="\n") if isinstance(v, str) else v for v in (
                base + counts + [status, entry.reason or "",
                                 texts.list_sep.join(role.names) if role else ""])]


# A text cell starting with one of these is run as a formula by spreadsheet programs;
# titles, names and reasons are typed by users (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def to_csv(table: Iterable[list], texts: Texts) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(texts.headers)
    writer.writerows([f"'{v}" if _is_formula_like(v) else v for v in row] for row in table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Iterable[list], texts: Texts, sheet_title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    widths = (12, 6, 7, 7, 14, 14, 16, 10, 20, 12, 6, 6, 6, 8, 20, 40)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for title in texts.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table:
        # An empty string would still be written as an empty cell element; None is
        # skipped (and reads back the same: an empty cell), a third fewer cells a week.
        sheet.append([None if v == "" else _text_cell(sheet, v) if _is_formula_like(v)
                      else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that stays text even though it starts like a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
