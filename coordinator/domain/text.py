"""Text as people type it and as the database may hold it: one normal form (NFKC, so
full-width digits and letters become plain ones), one set of refused characters, and one
cleaner for writers (xlsx, CSV, PDF, iCalendar) that must never choke on old rows."""
from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 10_000  # no single field of any form is longer; beyond this, refuse outright
LINE_CONTROLS = "\n\t"  # the only control characters a multi-line field may hold


def _unwanted(ch: str, keep: str) -> bool:
    if ch in keep:
        return False
    category = unicodedata.category(ch)
    # Cc: C0/C1 controls (NUL, vertical tab, ...); Cs: lone surrogates; and the two
    # noncharacters XML 1.0 forbids: none of them belongs in a name, a title or a note.
    return category in ("Cc", "Cs") or ch in "\ufffe\uffff"


# Invisible format characters that arrive with pasted or IME-typed text (zero-width space,
# non-joiner and joiner, word joiner, byte-order mark): a phone number or a count holding
# one looks right and matches nothing, so they are dropped, not refused.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalise(value: str, *, strip: bool = True) -> str:
    """Return ``value`` in NFKC without invisible format characters, with Windows line
    ends made plain, trimmed."""
    value = unicodedata.normalize("NFKC", value.translate(INVISIBLE))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip() if strip else value


def refused_characters(value: str, *, multiline: bool = False) -> str:
    """The characters of ``value`` a person may not type (newline and tab only in a
    multi-line field); empty when the value is fine."""
    keep = LINE_CONTROLS if multiline else ""
    return "".join(dict.fromkeys(ch for ch in value if _unwanted(ch, keep)))


def printable(value: str, keep: str = LINE_CONTROLS) -> str:
    """Return ``value`` without control characters (except ``keep``), lone surrogates and
    XML noncharacters: what every file and feed writer is given."""
    if value.isprintable():
        return value
    return "".join(ch for ch in value if not _unwanted(ch, keep))


_ASCII_INT = re.compile(r"[0-9]{1,18}")


def parse_int(raw: str | None, lo: int, hi: int) -> int | None:
    """Read a whole number typed in a URL or a small form: NFKC first (so ``１２`` is 12),
    then plain digits only, within [lo, hi]; None for anything else, never an exception."""
    if raw is None:
        return None
    raw = str(raw)
    # Refused, not cut, when long: a cut value would read as another number ("12" after
    # 199 zero-width spaces as "1"); 200 leaves room for invisible characters.
    if len(raw) > 200:
        return None
    text = normalise(raw)
    if not _ASCII_INT.fullmatch(text):
        return None
    value = int(text)
    return value if lo <= value <= hi else None
