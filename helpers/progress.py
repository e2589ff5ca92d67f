"""The progress store: every checked answer, kept in SQLite.

One row per answer (student, lesson, exercise, correct, answer, time), written in its own
transaction. WAL mode and a busy timeout let two kernels write at once; a connection per
write means a kernel restart loses nothing that was saved. Trouble is reported, not raised:
- a locked database is retried, then the answer waits in memory and is saved with the next
  one (or at exit), and the student is told;
- a corrupted file is renamed aside with a timestamp, never deleted, and a fresh one started;
- an unusable location falls back to a temporary directory, and says where.

    >>> store = ProgressStore()            # DESHANEY_PROGRESS_DB, or the user's data dir
    >>> store.record("01_deshaney", "why_joshua_lost", True, "b")
    >>> store.export_csv("progress.csv")

`python -m helpers progress --export progress.csv [--db PATH]` hands the rows in.
"""
from __future__ import annotations

import argparse
import atexit
import csv
import getpass
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import astuple, dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import lite  # the browser version (JupyterLite): progress kept in the browser's drive

ENV_VAR = "DESHANEY_PROGRESS_DB"
STUDENT_ENV_VAR = "DESHANEY_STUDENT"
APP_NAME = "deshaney-workbook"
FILE_NAME = "progress.sqlite3"
COLUMNS = ("student", "lesson", "exercise", "correct", "answer", "answered_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL,
    lesson TEXT NOT NULL,
    exercise TEXT NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answer TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_lesson ON answers (student, lesson, exercise);
"""


def default_path() -> Path:
    """DESHANEY_PROGRESS_DB if set, else progress.sqlite3 in the user's data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    if lite.IN_BROWSER: return lite.working_path()  # noqa: E701 - Lite: /tmp, copied to /drive
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / FILE_NAME


def current_student() -> str:
    name = os.environ.get(STUDENT_ENV_VAR, "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "student"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "student"


@dataclass(frozen=True)
class Attempt:
    student: str
    lesson: str
    exercise: str
    correct: bool
    answer: str
    answered_at: str


@dataclass(frozen=True)
class Saved:
    """What happened to an answer: saved or not, and anything the student should be told."""

    ok: bool
    message: str | None = None


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _is_corrupt(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError) or _is_locked(exc):
        return False
    text = str(exc).lower()
    return any(s in text for s in ("not a database", "malformed", "corrupt", "file is encrypted"))


class ProgressStore:
    """The student's answers in one SQLite file. Methods report problems; they do not raise."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 5.0, retries: int = 5):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.timeout = timeout
        self.retries = retries
        self.notices: list[str] = []
        self.pending: list[Attempt] = []
        self._ready = False
        atexit.register(self._flush_quietly)

    # --- opening -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return conn

    def _prepare(self) -> None:
        """Create the file and table once; move a corrupt file aside; fall back if unusable."""
        if self._ready:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._init_schema()
        except (OSError, sqlite3.OperationalError) as exc:  # before DatabaseError: a subclass
            if _is_locked(exc):
                raise
            self._fall_back(exc)
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            self._move_aside(exc)
            self._init_schema()
        self._ready = True

    def _init_schema(self) -> None:
        conn = self._connect()
        try:
            if self.path.exists() and self.path.stat().st_size:
                row = conn.execute("PRAGMA quick_check").fetchone()
                if row is None or row[0] != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed ({row and row[0]})")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def _move_aside(self, exc: BaseException) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        self.path.rename(target)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
        self.notices.append(
            f"Your progress file {self.path} could not be read ({exc}). It was kept, renamed to "
            f"{target}, and a fresh progress file was started. Answers from now on are saved; ask "
            "your instructor if you need the old ones recovered."
        )

    def _fall_back(self, exc: BaseException) -> None:
        old = self.path
        folder = Path(tempfile.gettempdir()) / f"{APP_NAME}-{current_student()}"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE_NAME
        self.notices.append(
            f"Progress could not be kept at {old} ({exc}); it is being saved to {self.path} "
            f"instead. Set {ENV_VAR} to a folder you can write to keep it somewhere permanent."
        )

    # --- writing -------------------------------------------------------------------

    def record(self, lesson: str, exercise: str, correct: bool, answer: str,
               student: str | None = None) -> Saved:
        """Save one answer (and any answer still waiting). Never raises."""
        self.pending.append(Attempt(
            student or current_student(), lesson, exercise, bool(correct), str(answer),
            datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        ))
        return self.flush()

    def flush(self) -> Saved:
        """Write every waiting answer in one transaction, retrying while the file is locked."""
        if not self.pending:
            return Saved(True, self._take_notices())
        delay = 0.05
        last: BaseException | None = None
        for attempt in range(self.retries + 1):
            try:
                self._prepare()
                self._write(self.pending)
                self.pending = []
                return Saved(True, self._take_notices())
            except sqlite3.DatabaseError as exc:
                last = exc
                if _is_corrupt(exc) and self.path.exists():
                    self._ready = False
                    self._move_aside(exc)
                    continue
                if not _is_locked(exc):
                    break
            except OSError as exc:
                last = exc
                break
            if attempt < self.retries:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        waiting = len(self.pending)
        if last is not None and _is_locked(last):
            why = (f"the progress file {self.path} is locked by another program "
                   f"(another notebook may be saving, or a sync tool holds it)")
        else:
            why = f"the progress file {self.path} could not be written ({last})"
        message = (f"Not saved yet: {why}. {waiting} answer{'s' if waiting != 1 else ''} "
                   "kept in memory and will be saved with your next answer.")
        notices = self._take_notices()
        return Saved(False, f"{notices} {message}" if notices else message)

    def _write(self, attempts: list[Attempt]) -> None:
        lite.pull(self.path)  # Lite: answers another notebook saved since
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT INTO answers (student, lesson, exercise, correct, answer, answered_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(a.student, a.lesson, a.exercise, int(a.correct), a.answer, a.answered_at)
                     for a in attempts],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()
        lite.push(self.path)  # Lite: copy to /drive after each commit

    def _take_notices(self) -> str | None:
        text = " ".join(self.notices) or None
        self.notices = []
        return text

    def _flush_quietly(self) -> None:
        if self.pending:
            self.flush()

    # --- reading -------------------------------------------------------------------

    def attempts(self, student: str | None = None, lesson: str | None = None) -> list[Attempt]:
        """Every saved answer, oldest first (answers still waiting are not included)."""
        lite.pull(self.path)  # Lite: answers another notebook saved since
        if not self._ready and not self.path.exists():
            return []  # reading never creates the file
        self._prepare()
        sql, args = "SELECT student, lesson, exercise, correct, answer, answered_at FROM answers", []
        where = []
        if student is not None:
            where.append("student = ?")
            args.append(student)
        if lesson is not None:
            where.append("lesson = ?")
            args.append(lesson)
        if where:
            sql += " WHERE " + " AND ".join(where)
        conn = self._connect()
        try:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        finally:
            conn.close()
        return [Attempt(s, l, e, bool(c), a, t) for s, l, e, c, a, t in rows]

    def latest(self, lesson: str, student: str | None = None) -> dict[str, bool]:
        """Each exercise of a lesson and whether its latest saved answer was right."""
        out: dict[str, bool] = {}
        for a in self.attempts(student or current_student(), lesson):
            out[a.exercise] = a.correct
        return out

    def export_csv(self, dest: str | os.PathLike, student: str | None = None) -> int:
        """Write the saved answers to CSV (header plus one row each); return the row count."""
        rows = self.attempts(student)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for a in rows:
                values = list(astuple(a))
                values[3] = "yes" if a.correct else "no"
                writer.writerow(values)
        return len(rows)

    def describe(self) -> str:
        if lite.IN_BROWSER: return lite.describe()  # noqa: E701 - Lite: no file path to give
        return (f"Your answers are saved in {self.path} (set {ENV_VAR} to choose another file). "
                "To hand them in: python -m helpers progress --export progress.csv")


_STORES: dict[Path, ProgressStore] = {}


def default_store() -> ProgressStore:
    """One store per path per kernel, so notices and waiting answers are not lost."""
    path = default_path()
    if path not in _STORES:
        _STORES[path] = ProgressStore(path)
    return _STORES[path]


def where_progress_is_kept() -> str:
    """A sentence for notebook 00: the file, and how to move or export it."""
    return default_store().describe()


# --- command line ----------------------------------------------------------------------

def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=f"the progress file (default: ${ENV_VAR} or {default_path()})")
    parser.add_argument("--export", metavar="FILE.csv", help="write every saved answer to a CSV file")
    parser.add_argument("--student", help="only this student's answers")


def _run(args: argparse.Namespace) -> int:
    path = Path(args.db).expanduser() if args.db else default_path()
    if not path.exists():
        print(f"No progress file at {path} yet: answer an exercise first, or pass --db PATH.", file=sys.stderr)
        return 2
    store = ProgressStore(path)
    try:
        if args.export:
            n = store.export_csv(args.export, args.student)
            print(f"Wrote {n} answer{'s' if n != 1 else ''} from {store.path} to {args.export}")
        else:
            rows = store.attempts(args.student)
            lessons: dict[str, dict[str, bool]] = {}
            for a in rows:
                lessons.setdefault(a.lesson, {})[a.exercise] = a.correct
            print(f"{store.path}: {len(rows)} answers")
            for lesson, latest in sorted(lessons.items()):
                print(f"  {lesson}: {sum(latest.values())} of {len(latest)} exercises right on the latest try")
    except (sqlite3.Error, OSError) as exc:
        print(f"Could not read {store.path}: {exc}", file=sys.stderr)
        return 2
    note = store._take_notices()
    if note:
        print(note, file=sys.stderr)
    return 0


def _register() -> None:
    from .cli import register

    register("progress", "show or export (--export FILE.csv) the saved answers", _run, _add_arguments)


_register()
