"""Issue 13, item 10: ``make run`` runs the web app and the reminder scheduler together,
as two processes, through honcho and ``Procfile.dev``. Started here exactly as ``make run``
starts it, on a temporary SQLite database and port: a coordinator's change made over HTTP
is delivered by the scheduler within seconds, and Ctrl-C (SIGINT to the process group,
as a terminal sends it) stops both processes."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Assignment, Delivery, OccurrenceRole
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import patrol, roles_of
from tests.support.shift_pages import COORD_PHONE, shift_pages_world, sign

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
STARTED = re.compile(r"(web|scheduler)\.1 started \(pid=(\d+)\)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Browser:
    """Just enough of a browser: cookies, CSRF tokens from pages, form posts."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=5) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, token_from: str) -> int:
        data = dict(data, csrf_token=TOKEN.search(self.get(token_from))[1])
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=5) as response:
            return response.status


def _up(browser: Browser) -> bool:
    try:
        return "csrf_token" in browser.get("/login")
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # make run's database
def test_make_run_serves_and_delivers_notices_then_ctrl_c_stops_both(app, tmp_path):
    world = shift_pages_world(app)
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
        assignment = sign(world["accounts"][0], role).assignment_id
        occurrence = db.session.scalar(select(OccurrenceRole.occurrence_id).where(
            OccurrenceRole.id == db.session.get(Assignment, assignment).occurrence_role_id))
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COORDINATOR_", "FLASK_")) and k not in ("DATABASE_URL", "PORT")}
    env.update({  # what the Makefile's APP_ENV and `make run` give honcho
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "FLASK_APP": "app.py",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x",
        "COORDINATOR_DEVELOPMENT": "1", "COORDINATOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "COORDINATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        # Quiet hours off: the suite runs at any hour.
        "COORDINATOR_QUIET_HOURS_START": "00:00", "COORDINATOR_QUIET_HOURS_END": "00:00"})
    log = tmp_path / "honcho.log"
    runner = subprocess.Popen([str(BIN / "honcho"), "start", "-f", "Procfile.dev",
                               "-p", str(port)], cwd=ROOT, env=env, stdout=log.open("w"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    pids: dict[str, int] = {}
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        _wait(lambda: _up(browser), 30, "the web process")
        _wait(lambda: "scheduler started" in log.read_text(), 30, "the scheduler")
        pids = {name: int(pid) for name, pid in STARTED.findall(log.read_text())}
        assert set(pids) == {"web", "scheduler"} and len(set(pids.values())) == 2

        assert browser.post("/login", {"identifier": COORD_PHONE, "password": TEST_PASSWORD},
                            "/login") == 200  # followed to the home page
        page = f"/occurrences/{occurrence}"
        assert browser.post(f"/assignments/{assignment}/unassign", {}, page) == 200

        def delivered():
            with app.app_context():
                rows = db.session.execute(select(Delivery.channel, Delivery.status).where(
                    Delivery.person_id == world["people"][0],
                    Delivery.kind == "notice")).all()
                db.session.remove()
            return {channel for channel, status in rows if status == "sent"}

        assert "app" in _wait(delivered, 20, "the removal notice to be delivered")
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            runner.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait(5)
            raise AssertionError("honcho did not stop on Ctrl-C:\n" + log.read_text()) from None
    _wait(lambda: not any(_alive(pid) for pid in pids.values()), 5, "both processes to end")
    with pytest.raises(ProcessLookupError):
        os.killpg(runner.pid, 0)  # nothing is left in the process group
