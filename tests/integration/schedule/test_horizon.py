"""The rolling horizon: `flask extend-horizon` adds what is missing, idempotently."""
from __future__ import annotations

from datetime import time, timedelta

from coordinator.extensions import db
from coordinator.models import Community, Occurrence, Series, SeriesRole
from tests.support.scheduling import NOW


def _count():
    return db.session.scalar(db.select(db.func.count()).select_from(Occurrence))


def test_extend_horizon_adds_weeks_once(app):
    with app.app_context():
        community = Community(name="一连社区", code="C01")
        db.session.add(community)
        db.session.flush()
        today = NOW.date()
        series = Series(kind="patrol", title="晚间巡逻", community_id=community.id,
                        timezone="Europe/Berlin", start_date=today + timedelta(days=1),
                        start_time=time(19, 30), duration_minutes=120, rrule="FREQ=DAILY")
        series.roles = [SeriesRole(name="队员", needed=2, maximum=3)]
        db.session.add(series)
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["extend-horizon", "--weeks", "2"])
    first = int(result.output.rsplit(":", 1)[1])
    assert result.exit_code == 0 and first in (13, 14)  # depends on the hour of the run
    assert "occurrences created: 0" in runner.invoke(args=["extend-horizon", "--weeks", "2"]).output
    more = int(runner.invoke(args=["extend-horizon", "--weeks", "3"]).output.rsplit(":", 1)[1])
    assert 6 <= more <= 8 and first + more in (20, 21)
    with app.app_context():
        assert _count() == first + more
        starts = db.session.scalars(db.select(Occurrence.start_at).order_by(
            Occurrence.start_at)).all()
        from zoneinfo import ZoneInfo
        berlin = {s.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for s in starts}
        assert berlin == {"19:30"}  # wall clock kept across any DST change in the window
        roles = db.session.scalar(db.select(db.func.count()).select_from(Occurrence).where(
            ~Occurrence.roles.any()))
        assert roles == 0  # every occurrence got its slots
