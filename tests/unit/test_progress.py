"""The progress store: survives a restart and two writers; reports, never loses."""
from __future__ import annotations

import csv
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import progress
from helpers.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT student, lesson, exercise, correct, answer FROM answers ORDER BY id").fetchall()
    finally:
        conn.close()


def test_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "mine.sqlite3"))
    assert progress.default_path() == tmp_path / "mine.sqlite3"
    monkeypatch.delenv(progress.ENV_VAR)
    assert progress.default_path().name == progress.FILE_NAME
    assert "deshaney-workbook" in str(progress.default_path())


def test_reading_never_creates_the_file(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    assert store.attempts() == [] and store.latest("l") == {}
    assert not (tmp_path / "p.sqlite3").exists()


def test_an_answer_survives_a_kernel_restart(tmp_path):
    db = tmp_path / "p.sqlite3"
    saved = ProgressStore(db).record("01_deshaney", "why_joshua_lost", True, "b", student="ann")
    assert saved.ok and saved.message is None
    # A new kernel: a new process opens the same file and sees the answer, then adds one.
    code = ("from helpers.progress import ProgressStore; import sys; s = ProgressStore(sys.argv[1]); "
            "assert [a.exercise for a in s.attempts('ann')] == ['why_joshua_lost']; "
            "assert s.record('01_deshaney', 'snake_pit', False, 'a', student='ann').ok")
    subprocess.run([sys.executable, "-c", code, str(db)], check=True, cwd=ROOT)
    again = ProgressStore(db)
    assert [(a.exercise, a.correct) for a in again.attempts("ann")] == [("why_joshua_lost", True), ("snake_pit", False)]
    assert again.latest("01_deshaney", "ann") == {"why_joshua_lost": True, "snake_pit": False}


def _writer(path: str, who: str, n: int) -> None:
    store = ProgressStore(path)
    for i in range(n):
        assert store.record("02_special_relationship", f"ex_{i}", i % 2 == 0, str(i), student=who).ok


def test_two_kernels_write_at_once(tmp_path):
    db = str(tmp_path / "p.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(db, who, 40)) for who in ("ann", "bob")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    rows = _rows(Path(db))
    assert len(rows) == 80
    assert {r[0] for r in rows} == {"ann", "bob"}


def test_two_threads_with_separate_connections(tmp_path):
    db = str(tmp_path / "p.sqlite3")
    threads = [threading.Thread(target=_writer, args=(db, who, 30)) for who in ("cy", "di", "ed")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_rows(Path(db))) == 90


def test_a_corrupted_file_is_reported_and_moved_aside(tmp_path):
    db = tmp_path / "p.sqlite3"
    db.write_bytes(b"this is not a database, it is a sync conflict\n" * 200)
    store = ProgressStore(db)
    saved = store.record("00_start_here", "what_is_a_fact_panel", True, "a", student="ann")
    assert saved.ok
    assert "could not be read" in saved.message and "renamed" in saved.message
    aside = list(tmp_path.glob("p.sqlite3.corrupt-*"))
    assert len(aside) == 1 and str(aside[0]) in saved.message
    assert aside[0].read_bytes().startswith(b"this is not a database")  # kept, not lost
    assert _rows(db) == [("ann", "00_start_here", "what_is_a_fact_panel", 1, "a")]


def test_a_file_corrupted_between_answers_is_moved_aside(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    assert store.record("l", "one", True, "a", student="ann").ok
    db.write_bytes(b"\0garbage" * 4096)
    saved = store.record("l", "two", True, "a", student="ann")
    assert saved.ok and "renamed" in saved.message
    assert [r[2] for r in _rows(db)] == ["two"]
    assert len(list(tmp_path.glob("p.sqlite3.corrupt-*"))) == 1


def _hold_lock(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def test_a_locked_file_is_reported_and_the_answer_kept(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("l", "first", True, "a", student="ann")
    holder = _hold_lock(db)
    store = ProgressStore(db, timeout=0.05, retries=2)
    saved = store.record("l", "second", False, "b", student="ann")
    assert not saved.ok
    assert "locked" in saved.message and "kept in memory" in saved.message
    assert [a.exercise for a in store.pending] == ["second"]
    holder.execute("ROLLBACK")
    holder.close()
    # The next answer saves the waiting one too, in order.
    assert store.record("l", "third", True, "c", student="ann").ok
    assert [r[2] for r in _rows(db)] == ["first", "second", "third"]
    assert store.pending == []


def test_a_lock_released_soon_is_retried(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("l", "first", True, "a", student="ann")
    holder = _hold_lock(db)

    def release():
        time.sleep(0.3)
        holder.execute("ROLLBACK")
        holder.close()

    t = threading.Thread(target=release)
    t.start()
    store = ProgressStore(db, timeout=0.05, retries=10)
    saved = store.record("l", "second", True, "b", student="ann")
    t.join()
    assert saved.ok
    assert [r[2] for r in _rows(db)] == ["first", "second"]


@pytest.fixture(autouse=True)
def private_fallback(tmp_path, monkeypatch):
    """The fallback folders of this test, not the user's own."""
    folder = tmp_path / "state" / "deshaney-workbook"
    monkeypatch.setattr(progress, "_fallback_candidates", lambda: [folder])
    monkeypatch.setattr(progress.tempfile, "tempdir", str(tmp_path))
    return folder


def test_an_unwritable_location_falls_back_and_says_where(tmp_path, private_fallback):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    store = ProgressStore(blocker / "p.sqlite3")
    saved = store.record("l", "e", True, "a", student="ann")
    assert saved.ok and "instead" in saved.message
    assert store.path == private_fallback / progress.FILE_NAME
    assert oct(private_fallback.stat().st_mode & 0o777) == oct(0o700)
    assert [a.exercise for a in store.attempts()] == ["e"]


def test_csv_export_has_every_row(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.record("01_deshaney", "why_joshua_lost", True, "b", student="ann")
    store.record("01_deshaney", "snake_pit", False, "a,c", student="ann")
    store.record("01_deshaney", "snake_pit", True, "b", student="bob")
    out = tmp_path / "progress.csv"
    assert store.export_csv(out) == 3
    rows = list(csv.DictReader(out.open()))
    assert [r["exercise"] for r in rows] == ["why_joshua_lost", "snake_pit", "snake_pit"]
    assert rows[1]["answer"] == "a,c" and rows[1]["correct"] == "no"
    assert list(rows[0]) == list(progress.HANDIN_COLUMNS) and rows[0]["named"] == "no"  # a login name, not one given
    assert store.export_csv(out, student="bob") == 1


def test_export_from_the_command_line(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("01_deshaney", "why_joshua_lost", True, "b", student="ann")
    out = tmp_path / "progress.csv"
    run = subprocess.run([sys.executable, "-m", "helpers", "progress", "--db", str(db), "--export", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "Wrote 1 answer" in run.stdout
    assert "why_joshua_lost" in out.read_text()
    summary = subprocess.run([sys.executable, "-m", "helpers", "progress", "--db", str(db)],
                             capture_output=True, text=True, cwd=ROOT)
    assert "01_deshaney: 1 of 1" in summary.stdout


def test_export_with_no_file_says_so(tmp_path):
    run = subprocess.run([sys.executable, "-m", "helpers", "progress", "--db", str(tmp_path / "none.sqlite3"),
                          "--export", str(tmp_path / "x.csv")], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert "No progress file" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("student_env", ["zoe"])
def test_student_name_from_environment(monkeypatch, student_env):
    monkeypatch.setenv(progress.STUDENT_ENV_VAR, student_env)
    assert progress.current_student() == "zoe"
