"""``python -m bench`` runs end to end on a tiny database: table printed, integrity OK."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_bench_scheduling_smoke(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "--signups", "50",
         "--backends", "sqlite", "--only", "scheduling", "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "[sqlite] integrity: OK" in out
    assert "signups/s 1t" in out and "expand s" in out  # the summary table's header
    assert any(line.startswith("sqlite ") for line in out.splitlines())  # and its row
    assert "50 signed up (50 confirmed" in out
    assert len(list(tmp_path.glob("*.json"))) == 1


@pytest.mark.slow
def test_bench_reminders_smoke(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "--reminders", "300",
         "--backends", "sqlite", "--only", "reminders", "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "[sqlite] reminders: 300 bench assignments" in out
    assert "duplicates 0, missing 0, unexpected 0" in out
    assert "of the 300 bench assignments, e-mail reminders sent 300, in-app 300" in out
    assert "mails/s" in out and "dup/missing" in out


@pytest.mark.slow
def test_bench_weekly_plan_smoke(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "--plan-runs", "2",
         "--backends", "sqlite", "--only", "weekly_plan", "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    out = result.stdout
    # Timing targets are the benchmark's business, not this test's: a miss on a busy
    # machine is a PROBLEM line about a median, never a crash.
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    assert all("median" in line for line in problems), out + result.stderr
    assert result.returncode == (1 if problems else 0), out + result.stderr
    assert re.search(r"\[sqlite\] weekly plan: week of \S+, [1-9][\d,]* occurrences", out), out
    assert "all p50 ms" in out and "q all/one/gaps" in out  # the table's header
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_bench_feeds_smoke(tmp_path):
    """The poll-cost figures are all there (wrk when installed, else the Python client);
    their values are the benchmark's business."""
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "--backends", "sqlite",
         "--only", "feeds", "--feeds", "organisation", "--feed-seconds", "1", "--feed-rounds", "1",
         "--feed-cold-runs", "1", "--feed-write-runs", "3", "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=90)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for label in ("feed 304", "feed 200 (cached)", "static 304", "static 200"):
        assert re.search(rf"^\s+{re.escape(label)}\s+\d+\s+[\d.]+\s+[\d.]+$", out, re.M), out
    assert re.search(r"one poll at a time .*: 304 p50 [\d.]+ ms, p99 [\d.]+ ms", out), out
    assert re.search(r"right after an unrelated write: 304 p50 [\d.]+ ms", out), out
    assert re.search(r"organisation: [\d.]+ KB, \d+ events, cold [\d.]+ s", out), out
    assert "304/s" in out and "static304/s" in out  # the summary table's header
    (results,) = tmp_path.glob("*.json")
    (row,) = json.loads(results.read_text())["results"]
    load = row["feeds_detail"][0]["load"]
    for key in ("feed_304", "feed_200", "static_304", "static_200"):
        assert {"rps", "p50_ms", "p99_ms"} <= load[key].keys()
    assert load["seq_304_after_write"]["p50_ms"] > 0


def test_bench_attendance_smoke(tmp_path):
    """A year of history in bulk, then each report timed (or "not built yet")."""
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "--backends", "sqlite",
         "--only", "attendance", "--attendance-runs", "1", "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = result.stdout
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    assert all("median" in line for line in problems), out + result.stderr
    assert re.search(r"\[sqlite\] attendance: a year of history: [\d,]+ occurrences, "
                     r"[1-9][\d,]* rows", out), out
    for label in ("community", "summary", "record"):
        assert re.search(rf"attendance: {label}: (median [\d.]+ ms|not built yet)", out), out
    assert "history s" in out and "record ms" in out
    (results,) = tmp_path.glob("*.json")
    (row,) = json.loads(results.read_text())["results"]
    assert row["attendance_entries"] > row["seed_s"] >= 0
