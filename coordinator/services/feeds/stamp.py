"""A feed's stamp: a validator of the data it prints, read before anything is rendered.

Built from ``sources`` (the one description of what a feed prints) over ``content.
selection`` (the rows the renderer shows): per printed source the count, the latest
``shown_at`` and the id sum, in one statement. Any change a feed would print moves one of
them, so an unchanged stamp means the body would render to the same bytes and a poll is
answered from the cache. A changed stamp only means "render and compare": the ETag is the
hash of the body, so it changes exactly when a byte does.

The stamp also holds who reads (what a feed shows depends on whose eyes), the local day
(the window moves at local midnight) and the configured base URL and UID domain (an app
configured with another address must never be handed this one's links).
"""
from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import datetime

from . import sources
from .content import FeedSpec, Viewer, Window, as_utc, selection


def _parts(spec: FeedSpec, viewer: Viewer, win: Window) -> list:
    person_id = viewer.person_id if spec.scope == "mine" else None
    sel = selection(spec, person_id, win).subquery("sel")
    parts = sources.links(sel, person_id, viewer.is_public)
    community = spec.scope_id if spec.scope in ("community", "public") else None
    team = spec.scope_id if spec.scope == "team" else None
    return parts + sources.named((community, spec.community_id), (team, spec.team_id))


def stamp(session, spec: FeedSpec, viewer: Viewer, win: Window, day: str,
          identity: tuple[str, str] = ("", "")) -> tuple[str, datetime | None]:
    """Return (digest, latest change) of a feed as it would render now; ``identity`` is
    the (base URL, UID domain) its links and UIDs are written with."""
    rows = session.execute(sources.aggregate(_parts(spec, viewer, win))).all()
    eyes = [(f.name, sorted(v) if isinstance(v := getattr(viewer, f.name), frozenset) else v)
            for f in fields(viewer)]
    latest = [at for at in (as_utc(r[2]) for r in rows) if at is not None]
    digest = hashlib.sha256(repr((spec, eyes, day, identity, [
        (src, count, str(as_utc(at)), ids, revs) for src, count, at, ids, revs in rows])
    ).encode())
    return digest.hexdigest()[:40], max(latest, default=None)


def covered(session, spec: FeedSpec, person_id: int | None, win: Window) -> set[int]:
    """Return the ids of the occurrences the stamp covers (the ones the renderer must
    show: see tests/integration/feeds/test_feed_rows_property.py)."""
    sel = selection(spec, person_id, win).subquery("sel")
    return set(session.execute(sel.select().with_only_columns(sel.c.o)).scalars())

