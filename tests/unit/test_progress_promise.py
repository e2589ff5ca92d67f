"""The progress store's promise (docs/progress-promise.md, issue 18 causes 1-6 and 15): an answer
the notebook says is saved is in what `hand_in()` writes, whatever happens to the file, the
folder or the other kernels writing beside it."""
from __future__ import annotations

import contextlib
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import progress
from helpers.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_fallback(tmp_path, monkeypatch):
    folder = tmp_path / "state" / "deshaney-workbook"
    monkeypatch.setattr(progress, "_fallback_candidates", lambda: [folder])
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(progress.tempfile, "tempdir", str(tmp_path / "tmp"))
    return folder


@contextlib.contextmanager
def read_only(path: Path):
    """`path` (a file or a folder) made unwritable even for root (the immutable attribute), or
    by its mode for another user."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                            capture_output=True).returncode != 0:
            pytest.skip("cannot make a file read-only for root here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        return
    mode = path.stat().st_mode
    os.chmod(path, 0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        os.chmod(path, mode)


def _env(tmp_path: Path, **extra) -> dict:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state-home"), XDG_DATA_HOME=str(tmp_path / "data-home"),
               TMPDIR=str(tmp_path / "tmp"), PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def damaged_index(db: Path, rows: int = 3000) -> None:
    """A large progress file with one damaged index page (the table itself reads whole)."""
    store = ProgressStore(db)
    store._prepare()
    store._write([progress.Attempt("old", "l", f"e{i}", True, "a" * 100, f"2026-01-01T00:00:{i:06d}")
                  for i in range(rows)])
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answers_by_lesson'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * size + 12)
        fh.write(b"\xde\xad" * 200)


def _hand_in(db: Path, dest: Path, env: dict) -> list[dict]:
    code = f"from helpers.exercises import write_hand_in; from helpers.progress import ProgressStore; " \
           f"print(write_hand_in({str(dest)!r}, store=ProgressStore({str(db)!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(dest.open(newline="", encoding="utf-8")))


# --- cause 1: several kernels on a damaged file --------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from helpers.progress import ProgressStore
    db, who, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.005)
    store = ProgressStore(db)
    for i in range(3):
        saved = store.record("02_exceptions", f"q{i}", True, f"{who}-{i}", student=who)
        print(("ACK" if saved.ok else "NOT"), who, i, flush=True)
""")


def test_kernels_on_a_damaged_file_lose_no_acknowledged_answer(tmp_path):
    db = tmp_path / "p.sqlite3"
    damaged_index(db)
    go = tmp_path / "go"
    env = _env(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"k{n}", str(go)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(6)]
    time.sleep(0.5)
    go.touch()
    acked = set()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        acked |= {(w, f"{w}-{i}") for tag, w, i in (line.split() for line in out.split("\n") if line) if tag == "ACK"}
    assert len(acked) == 18
    rows = _hand_in(db, tmp_path / "progress.csv", env)
    handed = {(r["student"], r["answer"]) for r in rows}
    assert acked <= handed, sorted(acked - handed)
    # The old answers that could be read are still handed in too, and nothing was deleted.
    assert sum(r["student"] == "old" for r in rows) == 3000
    moved = [f for f in tmp_path.glob("p.sqlite3.corrupt-*") if not f.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1  # one decision for all six kernels


# --- cause 2: the file and its fallback are one ------------------------------------------------

def test_every_reader_sees_the_file_and_its_fallback(tmp_path, private_fallback):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    for i in range(5):
        assert store.record("l", f"in_file_{i}", True, "a", student="ann").ok
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with read_only(db):
        for i in range(3):
            assert store.record("l", f"in_fallback_{i}", True, "b", student="ann").ok
        assert store.path != db
        from helpers.exercises import write_hand_in

        said = write_hand_in(tmp_path / "hand-in.csv", store=store)
        assert "Wrote 8 answers" in said
        assert len(list(csv.DictReader((tmp_path / "hand-in.csv").open()))) == 8
        # The next kernel, from the file alone:
        fresh = ProgressStore(db)
        assert fresh.export_csv(tmp_path / "export.csv") == 8 and fresh.also_read
        assert "saved in" in progress.hand_in_sentence(fresh, tmp_path / "export.csv", 8)
        assert sorted(a.exercise for a in fresh.attempts()) == sorted(
            [f"in_file_{i}" for i in range(5)] + [f"in_fallback_{i}" for i in range(3)])


def test_a_hand_in_that_could_not_include_everything_says_so(tmp_path):
    db = tmp_path / "p.sqlite3"
    damaged_index(db, rows=500)
    store = ProgressStore(db)
    n = store.export_csv(tmp_path / "out.csv")
    said = progress.hand_in_sentence(store, tmp_path / "out.csv", n)
    assert "INCOMPLETE" in said and "\n" not in said


def test_the_hand_in_button_says_when_the_file_may_be_incomplete(tmp_path):
    from helpers.exercises import write_hand_in

    db = tmp_path / "p.sqlite3"
    damaged_index(db, rows=500)
    said = write_hand_in(tmp_path / "out.csv", store=ProgressStore(db))
    assert "INCOMPLETE" in said


# --- cause 3: a name that is not UTF-8 ---------------------------------------------------------

@pytest.mark.parametrize("var", ["DESHANEY_STUDENT", "USER", "LOGNAME"])
def test_a_name_with_a_byte_that_is_not_utf8_still_saves(tmp_path, monkeypatch, var):
    for name in ("DESHANEY_STUDENT", "USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(os.environ, var, "Zo\udceb")  # what Python makes of the byte 0xeb
    assert progress.current_student() == "Zoë"
    store = ProgressStore(tmp_path / "p.sqlite3")
    assert store.record("l", "e", True, "answer \udcff").ok
    assert [a.student for a in store.attempts()] == ["Zoë"]
    from helpers.exercises import exercise_set

    ui = exercise_set("01_deshaney", store=store)
    assert ui.items


def test_a_name_with_a_bad_byte_in_a_real_environment(tmp_path):
    env = {k: v for k, v in _env(tmp_path).items()}
    envb = {k.encode(): v.encode() for k, v in env.items()}
    envb[b"DESHANEY_STUDENT"] = b"Zo\xeb"
    code = ("from helpers.progress import ProgressStore; s = ProgressStore(%r); r = s.record('l', 'e', True, 'a'); "
            "print(r.ok, s.attempts()[0].student)" % str(tmp_path / "p.sqlite3"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=envb, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().split() == ["True", "Zoë"]


# --- cause 4: answers only in the -wal, read from a folder that cannot be written -------------------

def _answers_left_in_the_wal(folder: Path) -> Path:
    """A progress file whose last 40 answers of 50 are only in its -wal, no -shm: as a writer that
    crashed leaves it."""
    folder.mkdir()
    db = folder / "p.sqlite3"
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.executescript(progress._SCHEMA)
    for i in range(50):
        writer.execute("INSERT INTO answers (student, lesson, exercise, correct, answer, answered_at) "
                       "VALUES ('ann', 'l', ?, 1, 'a', ?)", (f"e{i}", f"2026-01-01T00:00:{i:02d}"))
        if i == 9:
            writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = db.with_name(db.name + "-wal")
    saved_db, saved_wal = db.read_bytes(), wal.read_bytes()
    writer.close()  # closing checkpoints: put the files back as they were
    db.write_bytes(saved_db)
    wal.write_bytes(saved_wal)
    db.with_name(db.name + "-shm").unlink(missing_ok=True)
    return db


def test_answers_only_in_the_wal_are_read_from_a_folder_that_cannot_be_written(tmp_path):
    folder = tmp_path / "theirs"
    db = _answers_left_in_the_wal(folder)
    with read_only(folder):
        out = subprocess.run([sys.executable, "-m", "helpers", "progress", "--db", str(db)], capture_output=True,
                             text=True, timeout=60, cwd=ROOT, env=_env(tmp_path))
        assert sorted(p.name for p in folder.iterdir()) == ["p.sqlite3", "p.sqlite3-wal"]  # nothing changed there
    assert out.returncode == 0, out.stderr
    assert "50 answers" in out.stdout


def test_answers_only_in_the_wal_are_read_when_sqlite_cannot_open_the_wal_there(tmp_path, monkeypatch):
    """Where SQLite cannot open the -wal beside the file for reading (another user's folder and
    -shm; not reproducible as root), the reader must not fall back to the main file alone."""
    folder = tmp_path / "theirs"
    db = _answers_left_in_the_wal(folder)
    real = sqlite3.connect

    def connect(database, *args, **kwargs):
        text = str(database)
        if kwargs.get("uri") and text.startswith(db.as_uri()) and "immutable" not in text:
            raise sqlite3.OperationalError("unable to open database file")
        return real(database, *args, **kwargs)

    monkeypatch.setattr(progress.sqlite3, "connect", connect)
    assert len(ProgressStore(db).attempts()) == 50
    assert sorted(p.name for p in folder.iterdir()) == ["p.sqlite3", "p.sqlite3-wal"]


# --- cause 5: one damaged index page ---------------------------------------------------------------

def test_a_damaged_index_is_reported_and_the_history_salvaged_before_writing_on(tmp_path):
    db = tmp_path / "p.sqlite3"
    damaged_index(db)
    out = subprocess.run([sys.executable, "-m", "helpers", "progress", "--db", str(db)], capture_output=True,
                         text=True, timeout=60, cwd=ROOT, env=_env(tmp_path))
    assert out.returncode == 2 and "damaged" in out.stderr and "Traceback" not in out.stderr
    assert all(len(line) < 700 for line in out.stderr.splitlines()) and len(out.stderr.splitlines()) <= 4
    saved = ProgressStore(db).record("l", "new", True, "x", student="ann")
    assert saved.ok and "\n" not in saved.message and len(saved.message) < 1000
    assert "3000 answers that could be read" in saved.message
    rows = ProgressStore(db).attempts()
    assert len(rows) == 3001 and rows[-1].exercise == "new"


# --- cause 6: one file, resolved once; never through a link ------------------------------------------

def test_a_relative_progress_path_is_resolved_once(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    monkeypatch.setenv(progress.ENV_VAR, "rel-progress.sqlite3")
    monkeypatch.setattr(progress, "_STORES", {})
    monkeypatch.setattr(progress, "_RESOLVED", {}, raising=False)
    store = progress.default_store()
    assert store.record("l", "one", True, "a", student="ann").ok
    monkeypatch.chdir(tmp_path / "b")
    assert progress.default_store().record("l", "two", True, "a", student="ann").ok
    assert ProgressStore(tmp_path / "a" / "rel-progress.sqlite3").latest("l", "ann") == {"one": True, "two": True}
    assert not (tmp_path / "b" / "rel-progress.sqlite3").exists()


def test_a_progress_path_that_is_a_link_is_never_written_through(tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_bytes(b"")
    link = tmp_path / "p.sqlite3"
    link.symlink_to(victim)
    saved = ProgressStore(link).record("l", "e", True, "a", student="ann")
    assert saved.ok and "link" in saved.message  # saved in the private fallback, and said so
    assert victim.read_bytes() == b""
    assert [a.exercise for a in ProgressStore(link).attempts()] == ["e"]


# --- cause 14 (progress side): a pipe is not a progress file ---------------------------------------

def test_a_named_pipe_as_progress_file_does_not_hang(tmp_path):
    fifo = tmp_path / "p.sqlite3"
    os.mkfifo(fifo)
    out = subprocess.run([sys.executable, "-m", "helpers", "progress", "--db", str(fifo)], capture_output=True,
                         text=True, timeout=30, cwd=ROOT, env=_env(tmp_path))
    assert out.returncode == 2 and "not a regular file" in out.stderr
    started = time.monotonic()
    saved = ProgressStore(fifo).record("l", "e", True, "a", student="ann")
    assert time.monotonic() - started < 5 and saved.ok and "not a regular file" in saved.message


# --- cause 15: a file locked by another program --------------------------------------------------------

def test_a_locked_file_queues_the_answer_at_once_and_saves_it_in_the_background(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).record("l", "first", True, "a", student="ann")
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    store = ProgressStore(db)  # the defaults a student gets
    started = time.monotonic()
    saved = store.record("l", "second", True, "b", student="ann")
    assert time.monotonic() - started < 2.5
    assert not saved.ok and "locked" in saved.message and "background" in saved.message
    holder.execute("ROLLBACK")
    holder.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and store.pending:
        time.sleep(0.1)
    assert [a.exercise for a in ProgressStore(db).attempts()] == ["first", "second"]


def test_an_fcntl_without_flock_as_in_the_browser_still_saves(tmp_path, monkeypatch):
    """Pyodide (the JupyterLite kernel) has an fcntl module without flock or LOCK_SH: the store
    falls back to SQLite's own lock and the answer is saved."""
    import sys
    import types

    from helpers.progress import ProgressStore

    monkeypatch.setitem(sys.modules, "fcntl", types.ModuleType("fcntl"))
    store = ProgressStore(tmp_path / "p.sqlite3")
    assert store.record("01_deshaney", "why_joshua_lost", "b", True).ok
    assert [(a.lesson, a.exercise) for a in store.attempts()] == [("01_deshaney", "why_joshua_lost")]
