"""Who may see and change what: role and community scope, checked on the server.

The reading rules are decided here once, for the pages and the calendar feeds alike:

- **care details** (the person visited, their address, ward and health, and a care
  visit's title, team, place and visitors): the visit's confirmed visitors, from their
  assignment until ``CARE_VISITOR_DAYS`` days after the visit ends (``visitor_reads``,
  the one time rule), and the coordinators of its community (``care_community_ids``).
  Not admins, not leaders, not coordinators of other communities (an also-leader reads
  other communities as a leader);
- **phone numbers**: people on the same shift (confirmed), the coordinators of the
  community and admins (who keep the accounts; the roster shows them phones), see
  ``phone_community_ids``. Leaders see none, the coordinators' own included. A volunteer
  sees the coordinator's phone of a shift they are on (the page asks them to call when
  it is too late to withdraw);
- **pages of a series** (``may_read_series``, ``series_readable``): their own communities'
  work, and for those who read every community all work but other communities' care
  visits.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..domain.errors import Forbidden
from ..domain.recurrence import get_zone
from ..models import Account, CoordinatorScope


def managed_community_ids(session, actor: Account) -> set[int] | None:
    """Return the communities ``actor`` may change; None means all (admin)."""
    if actor.role == "admin":
        return None
    if actor.role == "coordinator":
        return set(session.scalars(select(CoordinatorScope.community_id).where(
            CoordinatorScope.account_id == actor.id)))
    return set()


def reads_every_community(actor: Account) -> bool:
    """Return True for admins, leaders and coordinators who are also leaders."""
    return actor.role in ("admin", "leader") or (actor.role == "coordinator"
                                                 and bool(actor.is_also_leader))


def visible_community_ids(session, actor: Account) -> set[int] | None:
    """Return the communities whose rosters ``actor`` may read; None means all."""
    if reads_every_community(actor):
        return None
    return managed_community_ids(session, actor)


def in_scope(ids, community_id: int | None) -> bool:
    """Is ``community_id`` among ``ids`` (a set of community ids; None means all)?"""
    return ids is None or (community_id is not None and community_id in ids)


def series_readable(managed, reads_all: bool, community_id: int | None, kind: str) -> bool:
    """The rule of ``may_read_series`` on precomputed facts (``managed``: the
    communities changed, None all; ``reads_all``: ``reads_every_community``)."""
    return in_scope(managed, community_id) or (reads_all and kind != "care")


def may_read_series(session, actor: Account, community_id: int | None, kind: str) -> bool:
    """Return True when ``actor`` may open a series (or one of its dates) of that
    community and kind: their own communities' work, and for those who read every
    community all work but other communities' care visits (their details are private)."""
    return series_readable(managed_community_ids(session, actor),
                           reads_every_community(actor), community_id, kind)


def care_community_ids(session, actor: Account) -> frozenset[int]:
    """Return the communities whose care visits ``actor`` reads in full (the person
    visited, address, ward, health; title, team, place, visitors): a coordinator's own
    communities. Admins and leaders get none; a visit's confirmed visitors read it too,
    which is decided per visit (``sees_care_details``)."""
    return care_ids_of(actor.role, managed_community_ids(session, actor))


def care_ids_of(role: str, managed) -> frozenset[int]:
    """``care_community_ids`` from the role and ``managed_community_ids``."""
    return frozenset(managed) if role == "coordinator" and managed is not None \
        else frozenset()


def phone_community_ids(session, actor: Account) -> frozenset[int] | None:
    """Return the communities whose members' phones ``actor`` reads (None: all): admins
    every community, coordinators their own, leaders and volunteers none (people on the
    same shift see each other's phones, decided per shift)."""
    return phone_ids_of(managed_community_ids(session, actor))


def phone_ids_of(managed) -> frozenset[int] | None:
    """``phone_community_ids`` from ``managed_community_ids``."""
    return None if managed is None else frozenset(managed)


def sees_care_details(care_ids, community_id: int | None, is_visitor: bool) -> bool:
    """May a reader see a care visit's details? ``care_ids`` from ``care_community_ids``;
    ``is_visitor``: they are confirmed on that visit."""
    return is_visitor or in_scope(care_ids, community_id)


def care_visitor_since(now: datetime, days: int, zone: str) -> datetime:
    """Return the earliest end of a visit whose confirmed visitors still read its care
    details at ``now``: they read them from their assignment through the whole local day
    ``days`` days after the visit ends, and not after.

    The line falls on a local midnight on purpose: the calendar feeds' validators hold
    the local day (``feeds.stamp``, ``feeds.serve.hot_answer``), so a feed crosses the
    line with the day and never keeps serving a body rendered before it."""
    tz = get_zone(zone)
    first_day = now.astimezone(tz).date() - timedelta(days=days)
    return datetime.combine(first_day, time(0), tz)


def visitor_reads(is_confirmed: bool, end_at: datetime, since: datetime | None) -> bool:
    """Is a reader a visitor who reads this visit's care details now? ``is_confirmed``:
    they are confirmed on it; ``since``: from ``care_visitor_since`` (None: no visitor
    reads, e.g. the public feed)."""
    return is_confirmed and since is not None and end_at >= since


def sees_phones(phone_ids, community_id: int | None, is_on_shift: bool) -> bool:
    """May a reader see the phones on a shift? ``phone_ids`` from
    ``phone_community_ids``; ``is_on_shift``: they are confirmed on it."""
    return is_on_shift or in_scope(phone_ids, community_id)


def can_manage(session, actor: Account, community_id: int | None) -> bool:
    """Return True when ``actor`` may change data of ``community_id``."""
    ids = managed_community_ids(session, actor)
    return ids is None or (community_id is not None and community_id in ids)


def require_manage(session, actor: Account, community_id: int | None) -> None:
    """Raise Forbidden unless ``actor`` may change data of ``community_id``."""
    if not can_manage(session, actor, community_id):
        raise Forbidden("You do not coordinate this community.", field="community_id")


def sees_private_details(session, actor: Account, community_id: int) -> bool:
    """Return True when ``actor`` may see phones and addresses of that community's
    members (the roster): the same readers as ``phone_community_ids``."""
    return in_scope(phone_community_ids(session, actor), community_id)


def record_access(session, actor: Account, person_id: int, community_id: int) -> str | None:
    """How ``actor`` may read a member's service record: "own" (the member themselves),
    "staff" (the coordinators of the member's community and admins: they also issue
    certificates), "figures" (leaders and also-leaders: names and figures, never phones
    or addresses), or None (anyone else: 403)."""
    if actor.person_id is not None and actor.person_id == person_id:
        return "own"
    if actor.role in ("coordinator", "admin") and can_manage(session, actor, community_id):
        return "staff"
    if reads_every_community(actor):
        return "figures"
    return None


def may_issue_certificate(session, actor: Account, person_id: int, community_id: int) -> bool:
    """May ``actor`` issue (and print) a certificate of that member? The member for
    themselves, the coordinators of their community, admins."""
    return record_access(session, actor, person_id, community_id) in ("own", "staff")


def export_allowed(session, actor: Account, community_id: int) -> bool:
    """May ``actor`` export a community's service records (they carry phones)? Its
    coordinators and admins only; leaders never."""
    return actor.role in ("coordinator", "admin") and can_manage(session, actor, community_id)


def honour_community_ids(session, actor: Account) -> set[int] | None:
    """The communities whose roll of honour ``actor`` may read (names and figures only):
    None all (leaders, admins); a coordinator their own; raises Forbidden otherwise."""
    if reads_every_community(actor):
        return None
    if actor.role == "coordinator":
        return managed_community_ids(session, actor)
    raise Forbidden("Only coordinators, leaders and admins read the roll of honour.")


def may_read_participation(session, actor: Account, community_id: int | None) -> bool:
    """May ``actor`` read the participation report of that community? Its coordinators,
    and those who read every community (leaders, admins): names and figures."""
    return in_scope(visible_community_ids(session, actor), community_id)


def sees_report_phones(session, actor: Account, community_id: int | None) -> bool:
    """May ``actor`` see the phones of the drifted-away list of that community? Its
    coordinators and admins (the roster's readers), never a leader as a leader."""
    return sees_private_details(session, actor, community_id)
