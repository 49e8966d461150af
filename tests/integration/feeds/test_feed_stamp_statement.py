"""A poll's stamp is one statement per feed shape, built once with its values bound
(issue 12, the cost of a poll): the same SQL text each time, so SQLAlchemy reuses its
compiled form and PostgreSQL a prepared plan, and the values never leak between feeds."""
from __future__ import annotations

from sqlalchemy import event as sa_event

from coordinator.extensions import db
from coordinator.services.feeds import stamp as feed_stamp
from coordinator.services.feeds.content import FeedSpec, window
from coordinator.services.feeds.viewer import Viewer
from tests.support.feeds import add_series, sign
from tests.support.scheduling import NOW, ZONE


def _statements(app, run) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if "AS printed" in statement:  # the stamp (not BEGIN or other reads)
            seen.append(statement)

    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            run()
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_two_communities_feeds_share_one_statement_and_keep_their_own_stamps(app, world):
    with app.app_context():
        add_series(world, world["coord2"], world["other"], "二连讲座")
        sign(world["accounts"][0], world["roles"][0])
    win = window(NOW, ZONE, 30, 90)
    specs = [FeedSpec("community", world["community"]), FeedSpec("community", world["other"])]
    both = frozenset({world["community"], world["other"]})
    viewer = Viewer(care=both, phones=both, opens=both)
    digests = []

    def poll():
        for spec in specs:
            digests.append(feed_stamp.stamp(db.session, spec, viewer, win, "d")[0])

    texts = _statements(app, poll)
    assert len(texts) == 2 and texts[0] == texts[1]  # one text, the values bound
    assert digests[0] != digests[1]
    # Cached or built afresh, a stamp reads the same: nothing of one feed stays behind.
    feed_stamp._STATEMENTS.clear()
    again = []
    _statements(app, lambda: again.extend(
        feed_stamp.stamp(db.session, spec, viewer, win, "d")[0] for spec in reversed(specs)))
    assert again == digests[::-1]


def test_personal_feeds_of_two_people_share_one_statement(app, world):
    with app.app_context():
        sign(world["accounts"][0], world["roles"][0])
    win = window(NOW, ZONE, 30, 90)
    spec = FeedSpec("mine")
    digests = []
    texts = _statements(app, lambda: digests.extend(
        feed_stamp.stamp(db.session, spec, Viewer(person_id=p), win, "d")[0]
        for p in (world["people"][0], world["people"][1])))
    assert len(texts) == 2 and texts[0] == texts[1]
    assert digests[0] != digests[1]
