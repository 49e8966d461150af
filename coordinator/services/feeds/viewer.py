"""Whose eyes read a feed: the reading rules of ``services.access``, computed once per
request and frozen, so that the feed's stamp (``stamp``: it digests every field) changes
whenever what the reader may see does.

The pages ask ``services.access`` the same questions (``sees_care_details``,
``sees_phones``, ``series_readable``), so a feed never shows what the pages hide.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .. import access


@dataclass(frozen=True)
class Viewer:
    """Whose eyes: decides names, phones, care details and where each event links.

    - ``person_id``: the reader's member (their shifts and answers);
    - ``care``: communities whose care visits they read in full (their coordinators');
    - ``phones``: communities whose phones they read (None: all, admins);
    - ``opens``: communities whose every series page they open (None: all, admins);
    - ``opens_all``: they open every community's pages but other care visits (leaders);
    - ``is_public``: the public feed (no names, no links);
    - ``visitor_since``: a visit's confirmed visitors read its care details while it
      ended at or after this instant (``access.care_visitor_since``: a local midnight,
      so it moves with the local day the stamp already holds). None: no visitor reads.
    """

    person_id: int | None = None
    care: frozenset[int] = frozenset()
    phones: frozenset[int] | None = frozenset()
    opens: frozenset[int] | None = frozenset()
    opens_all: bool = False
    is_public: bool = False
    visitor_since: datetime | None = None

    def sees_care(self, community_id: int | None, is_confirmed: bool,
                  end_at: datetime) -> bool:
        return not self.is_public and access.sees_care_details(
            self.care, community_id,
            access.visitor_reads(is_confirmed, end_at, self.visitor_since))

    def sees_phones(self, community_id: int | None, is_on_shift: bool) -> bool:
        return not self.is_public and access.sees_phones(self.phones, community_id,
                                                         is_on_shift)

    def opens_page(self, community_id: int | None, kind: str) -> bool:
        return not self.is_public and access.series_readable(self.opens, self.opens_all,
                                                             community_id, kind)


PUBLIC = Viewer(is_public=True)


def viewer_for(session, account, now: datetime, visitor_days: int, zone: str) -> Viewer:
    """The eyes of ``account`` (an ``Account`` or the light row of ``tokens.resolve``) at
    ``now``; ``visitor_days`` and ``zone``: the care visitors' line (``CareSettings``)."""
    managed = access.managed_community_ids(session, account)
    since = access.care_visitor_since(now, visitor_days, zone).astimezone(timezone.utc)
    return Viewer(person_id=account.person_id,
                  care=access.care_ids_of(account.role, managed),
                  phones=access.phone_ids_of(managed),
                  opens=None if managed is None else frozenset(managed),
                  opens_all=access.reads_every_community(account), visitor_since=since)
