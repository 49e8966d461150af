"""The scheduler ``flask scheduler`` builds: its jobs, when they fire in the organisation's
zone (zoneinfo, DST included), their options; and the nightly horizon caught up at start
after downtime."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from coordinator import create_app
from coordinator.extensions import db
from coordinator.jobs import runner, tasks
from coordinator.services.notify.deliveries import get_status
from tests.support.scheduling import build_world, patrol, roles_of

UTC = timezone.utc
JOBS = {"sweep", "digest", "weekly", "horizon", "stars", "care_erasure", "lock-watch"}


class _Lock:
    def alive(self) -> bool:
        return True


def _built(tmp_path, **config):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite'}",
                      **config})
    scheduler = runner.build_scheduler(app, threading.Event(), _Lock())
    return app, {job.id: job for job in scheduler.get_jobs()}, scheduler


def _next(job, at: datetime) -> datetime:
    return job.trigger.get_next_fire_time(None, at).astimezone(UTC)


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("zone,at,digest,weekly,horizon", [
    # Wednesday 10 June 2026, 20:00 in Shanghai (UTC+8, no DST).
    ("Asia/Shanghai", _utc(2026, 6, 10, 12), _utc(2026, 6, 10, 23, 30),
     _utc(2026, 6, 14, 23), _utc(2026, 6, 10, 18, 30)),
    # The same instant in Berlin (summer time, UTC+2): 14:00 local.
    ("Europe/Berlin", _utc(2026, 6, 10, 12), _utc(2026, 6, 11, 5, 30),
     _utc(2026, 6, 15, 5), _utc(2026, 6, 11, 0, 30)),
    # Saturday 28 March 2026 in Berlin, the day before summer time begins: the wall clock
    # keeps 07:30 and Monday 07:00, so the UTC instants move an hour; 02:30 does not
    # exist that night, and the horizon runs at 03:30 instead of being skipped.
    ("Europe/Berlin", _utc(2026, 3, 28, 12), _utc(2026, 3, 29, 5, 30),
     _utc(2026, 3, 30, 5), _utc(2026, 3, 29, 1, 30)),
])
def test_cron_jobs_fire_at_local_times_in_the_organisation_zone(tmp_path, zone, at, digest,
                                                                weekly, horizon):
    _, jobs, _ = _built(tmp_path, TIMEZONE=zone)
    assert set(jobs) == JOBS
    assert _next(jobs["digest"], at) == digest
    assert _next(jobs["weekly"], at) == weekly
    assert _next(jobs["horizon"], at) == horizon
    for job_id in ("digest", "weekly", "horizon"):
        tz = jobs[job_id].trigger.timezone
        assert isinstance(tz, ZoneInfo) and tz.key == zone  # zoneinfo, never pytz


def test_job_options_ids_and_configured_times(tmp_path):
    app, jobs, scheduler = _built(tmp_path, TIMEZONE="Europe/Berlin", DIGEST_TIME="08:15",
                                  WEEKLY_SUMMARY_TIME="06:45", HORIZON_TIME="03:10",
                                  NOTIFY_SWEEP_SECONDS=30)
    assert scheduler.timezone is UTC
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1, job.id
        assert job.misfire_grace_time >= 60, job.id
        assert not type(job.trigger.timezone).__module__.startswith("pytz"), job.id
    assert jobs["digest"].misfire_grace_time >= 3600
    assert jobs["weekly"].misfire_grace_time >= 3600
    assert jobs["horizon"].misfire_grace_time >= 3600
    assert jobs["sweep"].trigger.interval == timedelta(seconds=30)
    assert jobs["sweep"].trigger.timezone is UTC
    assert jobs["sweep"].func is tasks.sweep and jobs["sweep"].args[0] is app
    assert {jobs[j].func for j in ("digest", "weekly", "horizon")} == {
        tasks.digest, tasks.weekly, tasks.horizon}
    at = _utc(2026, 6, 10, 12)  # Wednesday 14:00 in Berlin
    assert _next(jobs["digest"], at) == _utc(2026, 6, 11, 6, 15)
    assert _next(jobs["weekly"], at) == _utc(2026, 6, 15, 4, 45)
    assert _next(jobs["horizon"], at) == _utc(2026, 6, 11, 1, 10)


def _occurrences(app, series: int) -> int:
    with app.app_context():
        n = len(roles_of(series))
        db.session.remove()
        return n


def _last_horizon(app) -> str | None:
    with app.app_context():
        found = (get_status(db.session, tasks.HORIZON_STATUS) or {}).get("at")
        db.session.remove()
        return found


def test_horizon_counts_as_missed_when_it_last_ran_over_a_day_ago(happ, clock):
    assert "horizon" in runner.catch_up(happ, clock())  # never ran
    tasks.horizon(happ)
    assert _last_horizon(happ) == clock().isoformat()
    clock.advance(hours=23)
    assert "horizon" not in runner.catch_up(happ, clock())
    clock.advance(hours=1, minutes=1)
    assert "horizon" in runner.catch_up(happ, clock())


def _start(app):
    with app.app_context():  # as ``flask`` pushes it (the test runner's group does not)
        return app.test_cli_runner().invoke(args=["scheduler"])


def test_scheduler_start_runs_the_horizon_missed_during_downtime(happ, clock, monkeypatch):
    class Idle:
        running = False

        def get_jobs(self):
            return []

        def start(self):  # the real one blocks; everything at start has been done
            pass

    monkeypatch.setattr(runner, "build_scheduler", lambda app, stop, lock: Idle())
    monkeypatch.setattr(runner, "check_channels", lambda app: {})
    monkeypatch.setattr(runner, "_logging", lambda: None)
    monkeypatch.setattr(runner.signal, "signal", lambda *args: None)
    with happ.app_context():
        series = patrol(build_world(), until_days=None)
        db.session.remove()
    tasks.horizon(happ)
    before = _occurrences(happ, series)
    clock.advance(days=3)  # the scheduler was down for three nights
    result = _start(happ)
    assert result.exit_code == 0, result.output
    assert _occurrences(happ, series) > before
    assert _last_horizon(happ) == clock().isoformat()
    clock.advance(hours=2)  # restarted soon after: not run again
    extended = _occurrences(happ, series)
    assert _start(happ).exit_code == 0
    assert _last_horizon(happ) == (clock() - timedelta(hours=2)).isoformat()
    assert _occurrences(happ, series) == extended
