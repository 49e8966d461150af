"""The attendance-days and first/last-taking-part migrations on a database that already
holds a roll: the rows get their local day, ``attendance_days`` and each person's first
and last taking part are backfilled from them, and the migrated database's triggers (not
create_all's) keep them when the roll changes afterwards."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from coordinator import create_app
from coordinator.extensions import db
from coordinator.models.attendance_days import COLUMNS, MONTH_SUMS, PART_SPANS, SUMS
from tests.support.database import FAST_ARGON2
from tests.support.scheduling import NOW

BEFORE = "8351451ef583"  # the revision before attendance days


def _sums(conn) -> dict:
    return {(r[0], str(r[1])): tuple(r[2:]) for r in conn.execute(text(SUMS))}


def _kept(conn) -> dict:
    rows = conn.execute(text("SELECT community_id, day, entries, taken_part, services, "
                             "service_minutes, expected, expected_part, excused, study_part, "
                             "study_recorded FROM attendance_days WHERE entries > 0"))
    return {(r[0], str(r[1])): tuple(r[2:]) for r in rows}


def _months(conn) -> dict:
    return {(r[0], str(r[1])[:10]): tuple(r[2:]) for r in conn.execute(text(
        MONTH_SUMS["sqlite"])) if any(r[2:])}


def _months_kept(conn) -> dict:
    return {(r[0], str(r[1])[:10]): tuple(r[2:]) for r in conn.execute(text(
        f"SELECT community_id, month, {', '.join(COLUMNS)} FROM attendance_months"))
            if any(r[2:])}


def _spans(conn) -> dict:
    return {r[0]: (str(r[1]), str(r[2])) for r in conn.execute(text(PART_SPANS))}


def _spans_kept(conn) -> dict:
    return {r[0]: (str(r[1]), str(r[2])) for r in conn.execute(text(
        "SELECT id, first_part_at, last_part_at FROM people WHERE last_part_at IS NOT NULL"))}


def test_migration_backfills_days_and_its_triggers_keep_them(tmp_path):
    from coordinator.demo import loader

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "PUBLIC_URL": "https://vol.example.org", **FAST_ARGON2})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        loader.seed_demo(db.session, scale=1, now=NOW, password_hash="x",
                         horizon_weeks=4, timezone_name="Asia/Shanghai")
        db.session.commit()
        db.session.remove()
    result = runner.invoke(args=["db", "downgrade", BEFORE])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.begin() as conn:
        days = dict(conn.execute(text("SELECT id, day FROM attendance_entries")).all())
        starts = dict(conn.execute(text("SELECT id, start_at FROM attendance_entries")).all())
        assert len(days) > 100 and all(days.values())
        # 01:00 Shanghai is the evening before in UTC: the day is the local one.
        for entry_id, start in list(starts.items())[:200]:
            utc_hour = int(str(start)[11:13])
            utc_day = date.fromisoformat(str(start)[:10])
            local = date.fromisoformat(str(days[entry_id]))
            assert local == (utc_day if utc_hour < 16 else date.fromordinal(
                utc_day.toordinal() + 1))
        assert _kept(conn) == _sums(conn) and _kept(conn)
        assert _spans_kept(conn) == _spans(conn) and _spans(conn)
        assert _months_kept(conn) == _months(conn) and _months(conn)
        conn.execute(text("UPDATE attendance_entries SET status = 'absent', minutes = 0 "
                          "WHERE status = 'present' AND id % 3 = 0"))
        conn.execute(text("DELETE FROM attendance_entries WHERE id % 7 = 0"))
        assert _kept(conn) == _sums(conn)
        assert _months_kept(conn) == _months(conn)
        assert _spans_kept(conn) == _spans(conn)
        conn.execute(text("UPDATE attendance_entries SET status = 'present', minutes = 60 "
                          "WHERE status = 'absent' AND id % 5 = 0"))
        assert _spans_kept(conn) == _spans(conn)
    with app.app_context():
        db.engine.dispose()
