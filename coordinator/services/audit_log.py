"""Read the audit log as people say it: action names, field labels, names instead of ids,
local times, Chinese left as it is (never JSON, never ``\\u4e0b`` escapes).

One page of entries is read with a fixed number of queries whatever it holds: every id the
page names is collected first and each kind is fetched once. The caller gives the
formatting of times, dates and repeat rules (the current language is not read here).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..models import (
    Account,
    Assignment,
    AuditEntry,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    SwapOffer,
    Team,
    Venue,
)
from ..vocab import (
    ASSIGNMENT_STATUSES,
    AUDIT_ACTIONS,
    AUDIT_ENTITIES,
    AUDIT_FIELDS,
    FEED_SCOPES,
    OVERRIDABLE_RULES,
    PERSON_FIELDS,
    ROLES,
    SERIES_KINDS,
)

COUNTS = {"occurrences", "released", "cancelled", "kept", "created", "position", "minutes",
          "limit"}
FLAGS = {"pending", "attending", "on", "is_lead", "is_also_leader"}
INSTANTS = {"start_at", "end_at"}
PEOPLE = {"person_id", "giver", "taker"}


@dataclass(frozen=True)
class AuditFormat:
    """How the page shows what the entries hold, in the reader's language."""

    instant: Callable[[datetime], str]
    day: Callable[[date], str]
    repeat: Callable[[str, Series | None], str]
    yes: str
    no: str
    changed: str
    change: str = "%(before)s → %(after)s"
    separator: str = ", "
    label_value: str = "%(label)s: %(value)s"
    named: str = "%(label)s: %(name)s"


@dataclass(frozen=True)
class AuditRow:
    """One entry ready for the page."""

    at: datetime
    who: str
    action: str
    what: str
    details: list[tuple[str, str]]


class _Names:
    """The names of everything one page of entries refers to, fetched once per kind."""

    def __init__(self, session, entries: list[AuditEntry]):
        want: dict[str, set[int]] = {k: set() for k in (
            "person", "account", "community", "team", "venue", "series", "occurrence",
            "assignment", "swap", "role")}
        for entry in entries:
            if entry.entity in want and entry.entity_id is not None:
                want[entry.entity].add(entry.entity_id)
            _collect(entry.details or {}, want)
        self.people = _map(session, Person.id, Person.full_name, want["person"])
        self.communities = _map(session, Community.id, Community.name, want["community"])
        self.teams = _map(session, Team.id, Team.name, want["team"])
        self.venues = _map(session, Venue.id, Venue.name, want["venue"])
        self.roles = _map(session, OccurrenceRole.id, OccurrenceRole.name, want["role"])
        self.accounts = {i: name or user or "—" for i, user, name in session.execute(
            select(Account.id, Account.username, Person.full_name)
            .outerjoin(Person, Account.person_id == Person.id)
            .where(Account.id.in_(want["account"])))} if want["account"] else {}
        self.series = {s.id: s for s in session.scalars(
            select(Series).where(Series.id.in_(want["series"])))} if want["series"] else {}
        self.occurrences = {i: (title, start) for i, title, start in session.execute(
            select(Occurrence.id, Series.title, Occurrence.start_at)
            .join(Series, Occurrence.series_id == Series.id)
            .where(Occurrence.id.in_(want["occurrence"])))} if want["occurrence"] else {}
        self.assignments = self._shifts(session, Assignment.id, want["assignment"])
        self.swaps = self._shifts(session, SwapOffer.id, want["swap"], swap=True)

    @staticmethod
    def _shifts(session, key, ids: set[int], swap: bool = False) -> dict:
        if not ids:
            return {}
        query = (select(key, Person.full_name, Series.title, Occurrence.start_at)
                 .select_from(SwapOffer if swap else Assignment))
        if swap:
            query = query.join(Assignment, SwapOffer.assignment_id == Assignment.id)
        query = (query.join(Person, Assignment.person_id == Person.id)
                 .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
                 .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
                 .join(Series, Occurrence.series_id == Series.id).where(key.in_(ids)))
        return {i: (name, title, start) for i, name, title, start in session.execute(query)}


def _map(session, key, value, ids: set[int]) -> dict:
    return dict(session.execute(select(key, value).where(key.in_(ids))).all()) if ids else {}


def _ints(value) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _collect(details: dict, want: dict[str, set[int]]) -> None:
    kinds = {"person_id": "person", "giver": "person", "taker": "person",
             "venue_id": "venue", "community_id": "community", "communities": "community",
             "parent": "series", "occurrence_id": "occurrence", "assignment_id": "assignment",
             "role_id": "role"}
    for key, value in details.items():
        if isinstance(value, dict):
            _collect(value, want)
        elif key in kinds:
            for v in _ints(value):
                want[kinds[key]].add(v)
            if isinstance(value, list):  # [before, after] of a change
                for part in value:
                    for v in _ints(part):
                        want[kinds[key]].add(v)
    if details.get("scope") in ("community", "team"):
        want[details["scope"]].update(_ints(details.get("scope_id")))


class _Reader:
    def __init__(self, names: _Names, fmt: AuditFormat):
        self.names, self.fmt = names, fmt

    def shift(self, found) -> str:
        if found is None:
            return "—"
        *name, title, start = found
        return " ".join([*name, title, self.fmt.instant(start)])

    def value(self, key: str, value, entry: AuditEntry) -> str:
        """One stored value in words."""
        n, fmt = self.names, self.fmt
        if value is None or value == []:
            return "—"
        if key == "override_rules":  # the numbers behind the rules; the note says them
            return fmt.separator.join(OVERRIDABLE_RULES.label(r.get("rule"))
                                      for r in value if isinstance(r, dict))
        if key == "skipped":  # the dates a new series leaves out
            return fmt.separator.join(fmt.day(date.fromisoformat(v)) for v in value)
        if key == "moved":  # "old day → new local time", one per moved date
            return fmt.separator.join(str(v) for v in value)
        if isinstance(value, list) and key not in ("communities", "fields", "overridden",
                                                   "moved"):
            if len(value) == 2:  # [before, after]
                return fmt.change % {"before": self.value(key, value[0], entry),
                                     "after": self.value(key, value[1], entry)}
            return fmt.separator.join(self.value(key, v, entry) for v in value)
        if isinstance(value, dict):
            return fmt.separator.join(fmt.label_value % {"label": AUDIT_FIELDS.label(k),
                                                         "value": self.value(k, v, entry)}
                                      for k, v in value.items())
        if key in FLAGS or isinstance(value, bool):
            return fmt.yes if value else fmt.no
        if key in INSTANTS and isinstance(value, str):
            return fmt.instant(datetime.fromisoformat(value))
        if key == "last_day" and isinstance(value, str):
            return fmt.day(date.fromisoformat(value))
        if key == "rrule":
            return fmt.repeat(value, n.series.get(entry.entity_id)
                              if entry.entity == "series" else None)
        lookups = {"venue_id": n.venues, "community_id": n.communities, "role_id": n.roles,
                   "person_id": n.people, "giver": n.people, "taker": n.people}
        if key in lookups:
            return lookups[key].get(value, "—")
        if key == "communities" and isinstance(value[0], list):  # [before, after]
            return fmt.change % {"before": self.value(key, value[0], entry) if value[0]
                                 else "—", "after": self.value(key, value[1], entry)
                                 if value[1] else "—"}
        if key == "communities":
            return fmt.separator.join(n.communities.get(v, "—") for v in value) or "—"
        if key == "fields":
            return fmt.separator.join(PERSON_FIELDS.label(v) for v in value)
        if key == "overridden":
            return fmt.separator.join(OVERRIDABLE_RULES.label(v) for v in value)
        if key == "parent":
            parent = n.series.get(value)
            return parent.title if parent else "—"
        if key == "occurrence_id":
            return self.shift(n.occurrences.get(value))
        if key == "assignment_id":
            return self.shift(n.assignments.get(value))
        if key == "scope_id":
            return (n.communities if entry.details.get("scope") == "community"
                    else n.teams).get(value, "—")
        if key == "password":
            return fmt.changed
        if key == "kind":
            return SERIES_KINDS.label(value)
        if key in ("status", "was"):
            return ASSIGNMENT_STATUSES.label(value)
        if key == "scope":
            return FEED_SCOPES.label(value)
        if key == "role" and value in ROLES:
            return ROLES.label(value)
        return str(value)

    def what(self, entry: AuditEntry) -> str:
        n = self.names
        label = AUDIT_ENTITIES.label(entry.entity)
        found = {"person": n.people, "account": n.accounts, "community": n.communities,
                 "team": n.teams, "venue": n.venues}.get(entry.entity, {}).get(entry.entity_id)
        if entry.entity == "series" and entry.entity_id in n.series:
            found = n.series[entry.entity_id].title
        elif entry.entity == "occurrence":
            found = self.shift(n.occurrences.get(entry.entity_id))
        elif entry.entity == "assignment":
            found = self.shift(n.assignments.get(entry.entity_id))
        elif entry.entity == "swap":
            found = self.shift(n.swaps.get(entry.entity_id))
        return self.fmt.named % {"label": label, "name": found or "—"}

    def details(self, entry: AuditEntry) -> list[tuple[str, str]]:
        details = dict(entry.details or {})
        if entry.action == "occurrence.move" and isinstance(details.get("after"), dict):
            before, after = details.pop("before", None) or {}, details.pop("after")
            for key, value in after.items():
                details[key] = [before.get(key), value] if before.get(key) != value else value
        if entry.action == "occurrence.counts":
            details["places"] = ["/".join(map(str, details.pop("before", []))),
                                 "/".join(map(str, details.pop("after", [])))]
        series = self.names.series.get(entry.entity_id) if entry.entity == "series" else None
        if series is not None and details.get("title") == series.title:
            details.pop("title")  # the "what" column names it already
        if details.get("override_note"):  # in words already: the codes would repeat it
            details.pop("override_rules", None)
            details.pop("overridden", None)
        if entry.entity == "assignment":
            details.pop("occurrence_id", None)  # the "what" column names the shift already
        return [(AUDIT_FIELDS.label(k), self.value(k, v, entry)) for k, v in details.items()
                if v not in (None, [])  # an empty waitlist place or no override says nothing
                and not (k == "scope_id" and details.get("scope") not in ("community", "team"))]


def read_page(session, page: int, per_page: int, fmt: AuditFormat) -> list[AuditRow]:
    """Return one page of the audit log, newest first, in words."""
    rows = session.execute(
        select(AuditEntry, Account.username, Person.full_name)
        .outerjoin(Account, AuditEntry.actor_id == Account.id)
        .outerjoin(Person, Account.person_id == Person.id)
        .order_by(AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    reader = _Reader(_Names(session, [entry for entry, *_ in rows]), fmt)
    return [AuditRow(at=entry.at, who=name or username or "—",
                     action=AUDIT_ACTIONS.label(entry.action), what=reader.what(entry),
                     details=reader.details(entry)) for entry, username, name in rows]
