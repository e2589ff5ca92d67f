"""A failing disk (issue 10): no answer is lost without telling the student at once, in plain
words and with the real cause; the fallback folder is private; a read-only command never moves or
rewrites the progress file; the exported CSV cannot run formulas in a spreadsheet."""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import progress
from helpers.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_fallback(tmp_path, monkeypatch):
    folder = tmp_path / "state" / "deshaney-workbook"
    monkeypatch.setattr(progress, "_fallback_candidates", lambda: [folder], raising=False)
    monkeypatch.setattr(progress.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return folder


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM answers").fetchone()[0]
    finally:
        conn.close()


def _small_disk(monkeypatch, paths: set[Path], pages: int):
    """A disk that fills: SQLite's own max_page_count on the named files (a real SQLITE_FULL,
    rolled back by SQLite itself, as on a full disk)."""
    real = ProgressStore._connect

    def connect(self):
        conn = real(self)
        if self.path in paths:
            conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(ProgressStore, "_connect", connect)


def test_a_full_disk_is_named_and_what_fits_is_saved(tmp_path, monkeypatch, private_fallback):
    db = tmp_path / "p.sqlite3"
    fallback_db = private_fallback / progress.FILE_NAME
    store = ProgressStore(db, retries=0)
    assert store.record("l", "first", True, "a", student="ann").ok
    _small_disk(monkeypatch, {db, fallback_db}, pages=_pages(db) + 1)
    messages = []
    for i in range(40):
        answer = "x" * 20_000 if i % 10 == 9 else "small"
        saved = store.record("l", f"e{i}", True, answer, student="ann")
        if not saved.ok:
            messages.append(saved.message)
    assert messages, "the disk never filled"
    first = messages[0]
    assert first.startswith("Your answer is NOT saved: the disk is full (")
    assert "cannot rollback" not in " ".join(messages)
    saved_rows = _count(db) + (_count(fallback_db) if fallback_db.exists() else 0)
    assert saved_rows + len(store.pending) == 41  # every answer is saved or still waiting, none lost
    # A backlog is not one transaction that can never fit: the small answers after a big one are saved.
    assert saved_rows > 1 + 10 and all(a.answer.startswith("x") for a in store.pending)


def _pages(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()


def test_an_unwritable_file_sends_answers_to_the_private_fallback_and_says_so(tmp_path, monkeypatch,
                                                                           private_fallback):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("l", "first", True, "a", student="ann")
    real = ProgressStore._write

    def write(self, attempts):
        if self.path == db:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(self, attempts)

    monkeypatch.setattr(ProgressStore, "_write", write)
    store = ProgressStore(db, retries=0)
    saved = store.record("l", "second", True, "b", student="ann")
    assert saved.ok
    assert "the file is read-only" in saved.message and str(private_fallback / progress.FILE_NAME) in saved.message
    assert _count(private_fallback / progress.FILE_NAME) == 1 and _count(db) == 1


def test_when_nothing_can_be_written_the_student_is_told_at_once(tmp_path, monkeypatch, capsys):
    def write(self, attempts):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ProgressStore, "_write", write)
    store = ProgressStore(tmp_path / "p.sqlite3", retries=0)
    saved = store.record("l", "e", True, "a", student="ann")
    assert not saved.ok
    assert saved.message.startswith(f"Your answer is NOT saved: the disk is full ({tmp_path / 'p.sqlite3'})")
    assert "a private fallback" in saved.message and "1 answer kept only in memory" in saved.message
    assert "will be saved with your next answer" not in saved.message  # no false promise
    store._flush_quietly()  # at exit: said once more, on the kernel's stderr
    assert "NOT saved" in capsys.readouterr().err


def test_the_notebook_shows_not_saved_under_the_feedback(tmp_path, monkeypatch):
    from helpers.exercises import exercise_set

    def write(self, attempts):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ProgressStore, "_write", write)
    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons" / "01_deshaney", lessons / "01_deshaney")
    ui = exercise_set("01_deshaney", store=ProgressStore(tmp_path / "p.sqlite3", retries=0), student="ann",
                      lessons_dir=lessons)
    item = ui.items[0]
    item.set_answer(item.exercise.choices[0].id if item.exercise.choices else "x")
    item.check.click()
    assert "Your answer is NOT saved: the disk is full" in item.feedback.value


def test_a_fallback_folder_someone_else_can_write_is_closed_or_refused(tmp_path, private_fallback):
    private_fallback.mkdir(parents=True)
    os.chmod(private_fallback, 0o777)
    assert progress.private_folder(private_fallback) == private_fallback
    assert private_fallback.stat().st_mode & 0o777 == 0o700
    (private_fallback / progress.FILE_NAME).symlink_to(tmp_path / "victim")
    with pytest.raises(progress.UnsafeFolder):
        progress.private_folder(private_fallback)
    # ...and then the store uses a fresh folder with an unguessable name instead.
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    store = ProgressStore(blocker / "p.sqlite3", retries=0)
    assert store.record("l", "e", True, "a", student="ann").ok
    assert store.path.parent.parent == tmp_path / "tmp" and store.path.parent.name.startswith("deshaney-workbook-")
    assert store.path.parent.stat().st_mode & 0o777 == 0o700
    assert not (tmp_path / "victim").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a folder another user owns")
def test_a_fallback_folder_owned_by_another_user_is_not_used(tmp_path, private_fallback):
    private_fallback.mkdir(parents=True, mode=0o700)
    os.chown(private_fallback, 4242, 4242)
    with pytest.raises(progress.UnsafeFolder, match="another user"):
        progress.private_folder(private_fallback)


def test_the_old_predictable_tmp_folder_is_not_used(tmp_path):
    squat = tmp_path / "tmp" / f"{progress.APP_NAME}-{progress.current_student()}"
    squat.mkdir()
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    store = ProgressStore(blocker / "p.sqlite3", retries=0)
    assert store.record("l", "e", True, "a", student="ann").ok
    assert squat not in store.path.parents


# --- read-only commands ------------------------------------------------------------------------

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "helpers", "progress", *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def _damaged(tmp_path: Path, rows: int = 2000) -> Path:
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store._prepare()
    store._write([progress.Attempt("ann", "l", f"e{i}", True, "a" * 200, f"2026-01-01T00:00:{i:06d}")
                  for i in range(rows)])
    _pages(db)
    with open(db, "r+b") as fh:  # a damaged page in the middle of the table
        fh.seek(4096 * 40)
        fh.write(b"\xde\xad" * 2048)
    return db


def test_progress_on_a_damaged_file_reports_salvages_and_moves_nothing(tmp_path):
    db = _damaged(tmp_path)
    before = db.read_bytes()
    out = _cli("--db", str(db), "--export", str(tmp_path / "out.csv"))
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    assert "damaged" in out.stderr and "was not changed" in out.stderr
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert 1000 < len(rows) < 2000  # salvaged, around the damaged page
    summary = _cli("--db", str(db))
    assert summary.returncode == 2 and "damaged" in summary.stderr
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "p.sqlite3", "tmp"]


def test_progress_on_a_file_that_is_not_a_database(tmp_path):
    db = tmp_path / "p.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    out = _cli("--db", str(db), "--export", str(tmp_path / "out.csv"))
    assert out.returncode == 2 and "is not a progress file" in out.stderr and "nothing was changed" in out.stderr
    assert db.read_bytes() == b"this is not a database" * 100
    assert not (tmp_path / "out.csv").exists() and not list(tmp_path.glob("p.sqlite3.*"))


def test_db_given_a_folder_is_an_error_not_another_file(tmp_path):
    ProgressStore(tmp_path / progress.FILE_NAME).record("l", "e", True, "a", student="ann")
    out = _cli("--db", str(tmp_path), "--export", str(tmp_path / "out.csv"))
    assert out.returncode == 2 and "is a folder" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "out.csv").exists()


def test_export_refuses_a_folder_or_the_progress_file_itself(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("l", "e", True, "a", student="ann")
    before = db.read_bytes()
    out = _cli("--db", str(db), "--export", str(db))
    assert out.returncode == 2 and "progress file itself" in out.stderr
    assert db.read_bytes() == before
    out = _cli("--db", str(db), "--export", str(tmp_path))
    assert out.returncode == 2 and "is a folder" in out.stderr


def test_reading_creates_nothing_beside_the_file(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("l", "e", True, "a", student="ann")
    _pages(db)
    for side in ("-wal", "-shm", ".lock"):  # the writer's own files
        db.with_name(db.name + side).unlink(missing_ok=True)
    assert [a.exercise for a in ProgressStore(db).attempts()] == ["e"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.sqlite3", "tmp"]


def test_csv_cells_that_a_spreadsheet_would_run_are_text(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    answers = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "fine", "a=b"]
    for i, a in enumerate(answers):
        store.record("l", f"e{i}", True, a, student="=cmd|' /C calc'!A0")
    store.export_csv(tmp_path / "out.csv")
    rows = list(csv.DictReader((tmp_path / "out.csv").open(newline="")))
    assert [r["answer"] for r in rows] == ["'" + a for a in answers[:6]] + ["fine", "a=b"]
    assert all(r["student"].startswith("'=") for r in rows)


def test_the_notebook_is_told_when_earlier_answers_come_from_a_damaged_file(tmp_path):
    db = _damaged(tmp_path)
    before = db.read_bytes()
    store = ProgressStore(db)
    latest = store.latest("l", "ann")
    assert 500 < len(latest) < 2000  # salvaged around the damaged page
    notice = store._take_notices()
    assert notice and "is damaged" in notice and str(db) in notice
    assert db.read_bytes() == before
