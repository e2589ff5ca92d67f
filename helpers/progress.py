"""The progress store: every checked answer, kept in SQLite.

One row per answer (student, lesson, exercise, correct, answer, time). WAL mode and a busy
timeout let two kernels write at once; a connection per write means a kernel restart loses
nothing that was saved. Trouble is reported at once, in plain words, never raised:
- a locked database is retried, then the answer waits in memory and is saved with the next
  one (or at exit), and the student is told it is NOT saved yet;
- a file that cannot be written (read-only, permission, a full disk, a bad folder) sends the
  answers to a private fallback folder (the user's own, checked for ownership and permissions;
  never a predictable name in /tmp), and the student is told where; if that fails too, the
  student is told "Your answer is NOT saved: the disk is full (path)" -- the real cause;
- waiting answers are written in one transaction, and if that does not fit, one at a time, so
  what fits is saved;
- a corrupted file is renamed aside with a timestamp when the notebook writes, never deleted.
Reading (`attempts`, `latest`, `python -m helpers progress`) opens the file read-only: it never
creates, moves or rewrites it; from a damaged file it salvages the rows it can and says so.

    >>> store = ProgressStore()            # DESHANEY_PROGRESS_DB, or the user's data dir
    >>> store.record("01_deshaney", "why_joshua_lost", True, "b")
    >>> store.export_csv("progress.csv")

`python -m helpers progress --export progress.csv [--db PATH]` hands the rows in.
"""
from __future__ import annotations

import argparse
import atexit
import csv
import errno
import getpass
import os
import sqlite3
import stat
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
_SELECT = "SELECT id, student, lesson, exercise, correct, answer, answered_at FROM answers"

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


def _read_only_disk(path: Path | None) -> bool:
    if not hasattr(os, "statvfs"):  # Windows
        return False
    for folder in ([path.parent, *path.parents] if path is not None else []):
        try:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def cause(exc: BaseException, path: Path | None = None) -> str:
    """What went wrong, in words a student can act on (SQLite's own words are often not it)."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if "full" in text or code in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if code == errno.EROFS or _read_only_disk(path):
        return "the disk is read-only"
    if "readonly" in text or "read-only" in text:
        return "the file is read-only"
    if code in (errno.EACCES, errno.EPERM) or "permission" in text:
        return "permission denied"
    if code in (errno.ENOTDIR, errno.EEXIST) or "not a directory" in text:
        return "a file stands where its folder should be"
    if code == errno.EISDIR or "is a directory" in text:
        return "it is a folder, not a file"
    if _is_locked(exc):
        return "it is locked by another program (another notebook may be saving, or a sync tool holds it)"
    if _is_corrupt(exc):
        return f"it is damaged ({exc})"
    if "unable to open" in text:
        return "it cannot be opened (its folder is missing or cannot be written)"
    if "disk i/o" in text or code == errno.EIO:
        return "a disk error (I/O)"
    return f"an error ({type(exc).__name__}: {exc})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


class UnsafeFolder(OSError):
    """A fallback folder that someone else owns or can write into."""


def _fallback_candidates() -> list[Path]:
    """Private places for progress when the chosen file cannot be written, best first."""
    import platformdirs

    out = [Path(platformdirs.user_state_dir(APP_NAME))]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if runtime:
        out.append(Path(runtime) / APP_NAME)
    return out


def private_folder(folder: Path) -> Path:
    """`folder`, created 0700 if missing; refused unless it is a real folder we own that no one
    else can write into, holding no progress file that is a link or someone else's."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeFolder(f"{folder} is not a folder (a link?)")
    if not hasattr(os, "geteuid"):  # Windows: the user's own profile folders are private by their ACL
        return folder
    if st.st_uid != os.geteuid():
        raise UnsafeFolder(f"{folder} belongs to another user")
    if st.st_mode & 0o077:
        os.chmod(folder, 0o700)  # ours: close it before using it
    for name in (FILE_NAME, FILE_NAME + "-wal", FILE_NAME + "-shm", FILE_NAME + "-journal"):
        try:
            fst = os.lstat(folder / name)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(fst.st_mode) or fst.st_uid != os.geteuid():
            raise UnsafeFolder(f"{folder / name} is a link or belongs to another user")
    return folder


def _connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that cannot change the file (no journal, no WAL checkpoint, no move)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        # Everything is in the main file: read it as it stands, creating no -shm or -wal beside it.
        return sqlite3.connect(uri + "&immutable=1", uri=True, timeout=timeout)
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout)
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc).lower():
            raise
        # A WAL file in a folder we cannot write: read the main file as it stands.
        return sqlite3.connect(uri + "&immutable=1", uri=True, timeout=timeout)


class ProgressStore:
    """The student's answers in one SQLite file. Methods report problems; they do not raise."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 5.0, retries: int = 5):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.timeout = timeout
        self.retries = retries
        self.notices: list[str] = []
        self.pending: list[Attempt] = []
        self.damage: str | None = None  # set by a read that salvaged rows from a damaged file
        self._ready = False
        self._fell_back = False
        atexit.register(self._flush_quietly)

    # --- opening -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return conn

    def _prepare(self) -> None:
        """Create the file and table once; move a corrupt file aside (writing only)."""
        if self._ready:
            return
        if self.path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
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

    def _fall_back(self, exc: BaseException) -> str:
        """Switch to a private folder of this user's (raises OSError if there is none); return
        the notice to give if the answers are then saved there."""
        old = self.path
        folder = None
        for candidate in _fallback_candidates():
            try:
                folder = private_folder(candidate)
            except OSError:
                continue
            if folder.resolve() != old.parent.resolve():
                break
            folder = None
        if folder is None:  # a fresh folder only this user can enter, with an unguessable name
            folder = Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-"))
        self.path = folder / FILE_NAME
        self._ready = False
        self._fell_back = True
        return (f"Your progress file {old} cannot be written: {cause(exc, old)}. Your answers are being saved "
                f"to {self.path} instead. Set {ENV_VAR} to a file in a folder you can write to keep them "
                "somewhere permanent.")

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
        """Write every waiting answer, retrying while the file is locked; if the file cannot be
        written, try the private fallback once. The message says plainly what was not saved."""
        if not self.pending:
            return Saved(True, self._take_notices())
        last = self._try_write()
        fallback_failed = ""
        if last is not None and not _is_locked(last) and not self._fell_back:
            failed_at, first = self.path, last
            try:
                notice = self._fall_back(last)
                last = self._try_write()
            except OSError as exc:  # no private folder either
                last = exc
            if last is None:
                self.notices.append(notice)
            else:  # back to the chosen file: it is tried first next time (space may be freed)
                fallback_failed = (f"; a private fallback ({self.path}) failed too: {cause(last, self.path)}"
                                   if self.path != failed_at else "")
                self.path, self._ready, self._fell_back, last = failed_at, False, False, first
        if last is None:
            return Saved(True, self._take_notices())
        waiting = len(self.pending)
        if _is_locked(last):
            message = (f"Your answer is NOT saved yet: the progress file {self.path} is {cause(last)}. "
                       f"{_plural(waiting, 'answer')} kept in memory and will be saved with your next answer.")
        else:
            message = (f"Your answer is NOT saved: {cause(last, self.path)} ({self.path}){fallback_failed}. "
                       f"{_plural(waiting, 'answer')} "
                       "kept only in memory, lost if this notebook stops; fix the problem (or set "
                       f"{ENV_VAR} to a file you can write) and check an answer again to save them.")
        notices = self._take_notices()
        return Saved(False, f"{notices} {message}" if notices else message)

    def _try_write(self) -> BaseException | None:
        """Write the waiting answers here; None when all are saved, else the last error."""
        delay = 0.05
        last: BaseException | None = None
        for attempt in range(self.retries + 1):
            try:
                self._prepare()
                self._write_what_fits()
                return None
            except sqlite3.DatabaseError as exc:
                last = exc
                if _is_corrupt(exc) and self.path.exists() and self.path.is_file():
                    self._ready = False
                    self._move_aside(exc)
                    continue
                if not _is_locked(exc):
                    return exc
            except OSError as exc:
                return exc
            if attempt < self.retries:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        return last

    def _write_what_fits(self) -> None:
        """All waiting answers in one transaction; if that fails (not for a lock), one at a time,
        so every answer that fits is saved and only the others wait (reading orders by time)."""
        try:
            self._write(self.pending)
            self.pending = []
            return
        except sqlite3.DatabaseError as exc:
            if _is_locked(exc) or _is_corrupt(exc) or len(self.pending) == 1:
                raise
        left, last = [], None
        for a in self.pending:
            try:
                self._write([a])
            except sqlite3.DatabaseError as exc:
                if _is_locked(exc) or _is_corrupt(exc):
                    self.pending = left + self.pending[self.pending.index(a):]
                    raise
                left.append(a)
                last = exc
        self.pending = left
        if last is not None:
            raise last

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
                if conn.in_transaction:  # SQLite may have rolled back already (a full disk does)
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # the first error is the one to report
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
            saved = self.flush()
            if not saved.ok:
                print(f"deshaney-workbook: {saved.message}", file=sys.stderr)

    # --- reading -------------------------------------------------------------------

    def attempts(self, student: str | None = None, lesson: str | None = None) -> list[Attempt]:
        """Every saved answer, oldest first (answers still waiting are not included). Reads the
        file read-only; from a damaged file, the rows that can be read (see `damage`)."""
        lite.pull(self.path)  # Lite: answers another notebook saved since
        self.damage = None
        if self.path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, not the progress file", str(self.path))
        if not self.path.exists():
            return []  # reading never creates the file
        where, args = [], []
        if student is not None:
            where.append("student = ?")
            args.append(student)
        if lesson is not None:
            where.append("lesson = ?")
            args.append(lesson)
        conn = _connect_read_only(self.path, self.timeout)
        try:
            rows = self._salvage(conn, where, args)
        finally:
            conn.close()
        if self.damage:
            self.notices.append(f"Your progress file {self.path} is damaged ({self.damage}); {_plural(len(rows), 'answer')}"
                                " could be read from it. The file is kept as it is until your next answer is saved.")
        rows.sort(key=lambda r: (r[6], r[0]))  # by time: an answer saved late (after a full disk) keeps its place
        return [Attempt(s, l, e, bool(c), a, t) for _, s, l, e, c, a, t in rows]

    def _salvage(self, conn: sqlite3.Connection, where: list[str], args: list) -> list[tuple]:
        """Rows in id order; past a damaged page, jump ahead and keep reading."""
        rows: list[tuple] = []
        after, jump, errors = 0, 1, 0
        sql = _SELECT + " WHERE " + " AND ".join(["id > ?", *where]) + " ORDER BY id"
        while True:
            try:
                for row in conn.execute(sql, [after, *args]):
                    rows.append(row)
                    after, jump = row[0], 1
                return rows
            except sqlite3.DatabaseError as exc:
                if not _is_corrupt(exc) or errors > 60 or "not a database" in str(exc).lower():
                    raise
                errors += 1
                self.damage = str(exc)
                after, jump = after + jump, jump * 2

    def latest(self, lesson: str, student: str | None = None) -> dict[str, bool]:
        """Each exercise of a lesson and whether its latest saved answer was right."""
        out: dict[str, bool] = {}
        for a in self.attempts(student or current_student(), lesson):
            out[a.exercise] = a.correct
        return out

    def export_csv(self, dest: str | os.PathLike, student: str | None = None) -> int:
        """Write the saved answers to CSV (header plus one row each); return the row count.
        Cells that a spreadsheet would run as a formula are written as text; the file is written
        whole or not at all."""
        dest = Path(dest)
        if dest.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name such as progress.csv", str(dest))
        if dest.exists() and dest.resolve() in {self.path.resolve(), *(self.path.resolve().with_name(
                self.path.name + s) for s in ("-wal", "-shm"))}:
            raise FileExistsError(errno.EEXIST, "is the progress file itself; choose another name", str(dest))
        rows = self.attempts(student)
        if not dest.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, "its folder does not exist", str(dest))
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(COLUMNS)
                for a in rows:
                    values = list(astuple(a))
                    values[3] = "yes" if a.correct else "no"
                    writer.writerow([spreadsheet_safe(v) for v in values])
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return len(rows)

    def describe(self) -> str:
        if lite.IN_BROWSER: return lite.describe()  # noqa: E701 - Lite: no file path to give
        return (f"Your answers are saved in {self.path} (set {ENV_VAR} to choose another file). "
                "To hand them in: python -m helpers progress --export progress.csv")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet shows as text: one starting = + - @ tab or CR gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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
    """Read-only: never creates, moves or rewrites the progress file."""
    path = Path(args.db).expanduser() if args.db else default_path()
    if path.is_dir():
        print(f"{path}: is a folder; give the progress file itself, e.g. {path / FILE_NAME}", file=sys.stderr)
        return 2
    if not path.exists():
        print(f"No progress file at {path} yet: answer an exercise first, or pass --db PATH.", file=sys.stderr)
        return 2
    store = ProgressStore(path)
    atexit.unregister(store._flush_quietly)
    try:
        if args.export:
            n = store.export_csv(args.export, args.student)
            done = f"Wrote {_plural(n, 'answer')} from {store.path} to {args.export}"
        else:
            rows = store.attempts(args.student)
            lessons: dict[str, dict[str, bool]] = {}
            for a in rows:
                lessons.setdefault(a.lesson, {})[a.exercise] = a.correct
            lines = [f"{store.path}: {_plural(len(rows), 'answer')}"]
            for lesson, latest in sorted(lessons.items()):
                lines.append(f"  {lesson}: {sum(latest.values())} of {len(latest)} exercises right on the latest try")
            done = "\n".join(lines)
    except (sqlite3.Error, OSError) as exc:
        where = getattr(exc, "filename", None) or store.path
        what = "is not a progress file (not an SQLite database)" if "not a database" in str(exc).lower() \
            else "is not a progress file (it has no answers table)" if "no such table" in str(exc).lower() \
            else f"could not be read: {cause(exc)}" if isinstance(exc, sqlite3.Error) else \
            f"{exc.strerror or cause(exc)}"
        print(f"{where}: {what}; nothing was changed.", file=sys.stderr)
        return 2
    if store.damage:
        # Salvaged: the output is written, but say loudly that it is incomplete (exit 2, all on stderr).
        print(done, file=sys.stderr)
        print(f"{store.path}: the file is damaged ({store.damage}); the rows above are the ones that could "
              "be read. The file was not changed; keep a copy and ask for help recovering the rest.", file=sys.stderr)
        return 2
    print(done)
    return 0


#: (name, help, run, add_arguments), registered by `helpers.cli` (the command line imports downward).
CLI_COMMANDS = (("progress", "show or export (--export FILE.csv) the saved answers", _run, _add_arguments),)


# --- read-only queries for the exercise widgets ------------------------------------------

@dataclass(frozen=True)
class History:
    """One exercise's saved answers: the first try, the latest, and how many tries."""

    first: Attempt
    latest: Attempt
    tries: int


def answer_history(store: "ProgressStore | None", lesson: str, student: str | None = None) -> dict[str, History]:
    """Each exercise of a lesson that has a saved answer: first try, latest try, count.
    Reading never creates the file; a store that cannot list its attempts gives nothing."""
    if store is None or not hasattr(store, "attempts"):
        return {}
    out: dict[str, History] = {}
    for a in store.attempts(student or current_student(), lesson):
        h = out.get(a.exercise)
        out[a.exercise] = History(a, a, 1) if h is None else History(h.first, a, h.tries + 1)
    return out
