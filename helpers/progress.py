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
- a damaged file is decided on once, by one process under the file's lock: the answers that can
  be read are copied into a fresh file and the damaged one is kept, renamed aside, never deleted.
Reading (`attempts`, `latest`, `python -m helpers progress`) opens the file read-only: it never
creates, moves or rewrites it; it includes the answers saved for the file in a fallback; from a
damaged file it salvages the rows it can and says so. The whole promise, failure by failure, is
docs/progress-promise.md.
The student's name is kept in the same file (`set_name`, the `names` table), written like an answer;
DESHANEY_STUDENT, when set, wins over it.

    >>> store = ProgressStore()            # DESHANEY_PROGRESS_DB, or the user's data dir
    >>> store.record("01_deshaney", "why_joshua_lost", True, "b")
    >>> store.export_csv("progress.csv")

`python -m helpers progress --export progress.csv [--db PATH]` hands the rows in.
"""
from __future__ import annotations

import argparse
import atexit
import codecs
import contextlib
import csv
import errno
import getpass
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import threading
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
CREATE TABLE IF NOT EXISTS kept_for (
    id INTEGER PRIMARY KEY,
    progress_file TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS names (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    replaces TEXT NOT NULL,
    given_at TEXT NOT NULL,
    progress_file TEXT
);
"""
# `kept_for`: in a fallback file, the progress file each answer was meant for (answers.id), so
# every reader of that file finds them (see docs/progress-promise.md).
# `names`: the name the student typed (the latest row wins; rows are only ever added). `replaces`
# is the login name the answers before it were saved under: they are read as hers. In a fallback
# file, `progress_file` says which progress file the name belongs to (NULL: this file).
#: The hand-in file's columns: the answers', and whether the student column is a name the student
#: gave (typed in the workbook, or set by DESHANEY_STUDENT) rather than a login name.
HANDIN_COLUMNS = COLUMNS + ("named",)
LOCK_SUFFIX = ".lock"
FOREGROUND_SECONDS = 1.0  # the longest a Check waits on a locked file before it queues the answer
BACKGROUND_SECONDS = 600.0  # how long a queued answer is retried in the background


def default_path() -> Path:
    """DESHANEY_PROGRESS_DB if set, else progress.sqlite3 in the user's data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        # Resolved once per process: a relative path and a later change of folder move nothing.
        return _RESOLVED.setdefault(env, Path(env).expanduser().absolute())
    if lite.IN_BROWSER: return lite.working_path()  # noqa: E701 - Lite: /tmp, copied to /drive
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / FILE_NAME


def _latin1_bytes(exc: UnicodeError):
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("deshaney-latin1", _latin1_bytes)


def clean_text(value: object) -> str:
    """Text that can be saved and encoded: a byte that was not UTF-8 (an environment variable or
    file name with a Latin-1 byte arrives as a lone surrogate) is read as Latin-1 ('Zo\\xeb' is
    'Zoë'); any other lone surrogate becomes U+FFFD. Valid text comes back unchanged."""
    text = str(value)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return raw.decode("utf-8", "deshaney-latin1")


_RESOLVED: dict[str, Path] = {}


def name_from_environment() -> str | None:
    """DESHANEY_STUDENT, when it is set to a name: it wins over the name typed in the workbook."""
    return clean_text(os.environ.get(STUDENT_ENV_VAR, "")).strip() or None


def login_name() -> str:
    """The name answers are saved under when the student has given none: the login name
    (`root`, `jovyan`, `web_user` in the browser), never shown as hers."""
    try:
        return clean_text(getpass.getuser() or "student")
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "student"


def current_student() -> str:
    """The student: DESHANEY_STUDENT if set, else the name she gave (kept with her progress), else
    the login name."""
    return default_store().student()


MAX_NAME = 100  # characters of a typed name


def check_name(value: object) -> tuple[str | None, str | None]:
    """(the name, None) or (None, what is wrong with it): a name is some text, not only spaces,
    on one line, at most MAX_NAME characters. Inner runs of spaces become one."""
    text = " ".join(clean_text("" if value is None else value).split())
    if not text:
        return None, "Type your name first: it cannot be empty or only spaces."
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return None, "Your name cannot contain control characters."
    if len(text) > MAX_NAME:
        return None, f"That is {len(text)} characters; a name here is at most {MAX_NAME}."
    return text, None


def name_slug(name: str) -> str:
    """A file-name-safe form of a name: 'Jane Doe' -> 'jane-doe', 'Zoë O'Brien' -> 'zoe-obrien'
    (letters and digits kept, accents dropped, everything else a single hyphen)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    plain = plain.replace("'", "").replace("\u2019", "")
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-")
    if not slug:  # a name in a script with no Latin form: a stable short code of it instead
        import hashlib

        slug = "student-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return slug


@dataclass(frozen=True)
class Attempt:
    student: str
    lesson: str
    exercise: str
    correct: bool
    answer: str
    answered_at: str


@dataclass(frozen=True)
class GivenName:
    """The name a student typed, waiting to be saved like an answer (`ProgressStore.set_name`)."""

    name: str
    replaces: str
    given_at: str


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
    if code == errno.ELOOP or "is a link" in text:
        return "it is a link (progress is written only to a plain file, never through a link)"
    if "not a regular file" in text:
        return "it is not a regular file (a pipe or a device)"
    if code == errno.ENAMETOOLONG:
        return "its name is too long"
    if _is_corrupt(exc):
        return f"it is damaged ({_first_line(exc)})"
    if "unable to open" in text:
        return "it cannot be opened (its folder is missing or cannot be written)"
    if "disk i/o" in text or code == errno.EIO:
        return "a disk error (I/O)"
    return f"an error ({type(exc).__name__}: {exc})"


def _first_line(exc: BaseException | str) -> str:
    """SQLite's integrity report is many lines: its first, cut short, on one line."""
    from .loading import one_line

    lines = str(exc).strip().splitlines() or [""]
    more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
    return one_line(lines[0], 160) + more


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


def require_regular_file(path: Path, *, writing: bool = False) -> None:
    """Refuse a pipe, a device or a socket (opening one can hang forever), and for writing a
    link (the progress file is never written through a link onto someone else's file)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        if writing:
            raise OSError(errno.ELOOP, "is a link; progress is written only to a plain file", str(path))
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "is not a regular file (a pipe or a device)", str(path))


@contextlib.contextmanager
def _connect_read_only(path: Path, timeout: float):
    """A connection that cannot change the file (no journal, no WAL checkpoint, no move). The
    answers still only in the -wal are read too: when the folder cannot be written (another
    user's, a read-only mount), from a private copy of the file and its -wal."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    copy_dir = None
    if not path.with_name(path.name + "-wal").exists():
        # Everything is in the main file: read it as it stands, creating no -shm or -wal beside it.
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=timeout)
    else:
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=timeout)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc).lower() and "readonly" not in str(exc).lower():
                raise
            conn, copy_dir = _connect_copy(path, timeout)
    try:
        yield conn
    finally:
        conn.close()
        if copy_dir is not None:
            shutil.rmtree(copy_dir, ignore_errors=True)


def _connect_copy(path: Path, timeout: float) -> tuple[sqlite3.Connection, str]:
    """The file and its -wal copied into a private temporary folder, opened there (SQLite reads
    the copied -wal as it would the original's)."""
    folder = tempfile.mkdtemp(prefix=f"{APP_NAME}-read-")
    try:
        copy = Path(folder) / FILE_NAME
        shutil.copyfile(path, copy)
        shutil.copyfile(path.with_name(path.name + "-wal"), copy.with_name(copy.name + "-wal"))
        return sqlite3.connect(copy, timeout=timeout), folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@contextlib.contextmanager
def _file_lock(path: Path, exclusive: bool, wait: float):
    """The progress file's lock (PATH.lock beside it): shared while writing an answer, exclusive
    while deciding what to do with a damaged file, so that decision is taken once, by one
    process, and never renames a file under another writer. Where no lock file can be made (a
    folder that cannot be written: nothing can be written there either) it is skipped."""
    try:
        import fcntl

        flock, lock_sh, lock_ex, lock_nb = fcntl.flock, fcntl.LOCK_SH, fcntl.LOCK_EX, fcntl.LOCK_NB
    except (ImportError, AttributeError):  # Windows; the browser (Pyodide's fcntl has no flock): SQLite's own lock
        yield
        return
    lock = path.with_name(path.name + LOCK_SUFFIX)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        yield
        return
    try:
        mode = (lock_ex if exclusive else lock_sh) | lock_nb
        deadline = time.monotonic() + wait
        while True:
            try:
                flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked (another notebook is repairing it)") from None
                time.sleep(0.02)
            except OSError:  # a file system without locks
                break
        yield
    finally:
        os.close(fd)  # releases the lock


def _rows_kept_for(primary: Path, where: list[str], args: list) -> tuple[list[tuple], list[str], list[str]]:
    """Answers meant for `primary` that were saved in a private fallback file (it could not be
    written): (rows, the fallback files read, problems reading them)."""
    rows: list[tuple] = []
    used: list[str] = []
    problems: list[str] = []
    key = str(primary)
    sql = (_SELECT.replace("FROM answers", "FROM answers JOIN kept_for USING (id)")
           + " WHERE " + " AND ".join(["progress_file = ?", *where]))
    for candidate in _own_fallbacks(primary):
        try:
            with _connect_read_only(candidate, 1.0) as conn:
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'kept_for'").fetchone() is None:
                    continue
                found = conn.execute(sql, [key, *args]).fetchall()
        except (sqlite3.Error, OSError) as exc:
            problems.append(f"the answers saved in the fallback {candidate} could not be read: {cause(exc, candidate)}")
            continue
        if found:
            rows.extend(found)
            used.append(str(candidate))
    return rows, used, problems


def _own_fallbacks(primary: Path) -> list[Path]:
    """The fallback files that exist, other than `primary`, and are plain files of this user's
    (anything else -- a link, someone else's file -- is never read)."""
    out = []
    for candidate in _fallback_files():
        if candidate == primary or not candidate.is_file():
            continue
        try:
            st = os.lstat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and not (hasattr(os, "geteuid") and st.st_uid != os.geteuid()):
            out.append(candidate)
    return out


def _fallback_files() -> list[Path]:
    out = []
    try:
        folders = _fallback_candidates()
    except Exception:  # noqa: BLE001 - no platformdirs, no home: no fallback to read
        folders = []
    for folder in folders:
        out.append((folder / FILE_NAME).absolute())
    return out + [Path(p) for p in _TEMP_FALLBACKS]


_TEMP_FALLBACKS: list[str] = []  # fallbacks made in this process with an unguessable name


class ProgressStore:
    """The student's answers in one SQLite file. Methods report problems; they do not raise.
    What each failure does is written down in docs/progress-promise.md."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 0.2, retries: int = 3):
        # Resolved once: a relative DESHANEY_PROGRESS_DB and a later change of folder never split
        # the answers across two files.
        self.path = (Path(path).expanduser() if path is not None else default_path()).absolute()
        self.home = self.path  # the file chosen; `path` moves to a fallback when it cannot be written
        self.timeout = timeout
        self.retries = retries
        self.notices: list[str] = []
        self.pending: list[Attempt] = []
        self.damage: str | None = None  # set by a read that salvaged rows from a damaged file
        self.also_read: list[str] = []  # fallback files whose answers a read included
        self._ready = False
        self._fell_back = False
        self._guard = threading.RLock()  # the waiting answers, shared with the background retry
        self._retrying: threading.Thread | None = None
        self._name: str | None = None  # the name found saved (or given in this kernel), once known
        atexit.register(self._flush_quietly)

    # --- opening -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return conn

    def _prepare(self) -> None:
        """Create the file and table once (writing only); a damaged file raises (see `_recover`)."""
        if self._ready:
            return
        require_regular_file(self.path, writing=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
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

    def _recover(self, exc: BaseException, seen: tuple[int, int] | None) -> None:
        """A damaged file: one decision for every process. Under the exclusive lock, and only if
        the file is still the one found damaged (`seen`; another process may have repaired it
        already), read every answer that can be read, put them in a fresh file, keep the damaged
        one renamed aside with its -wal, and only then write on."""
        with _file_lock(self.path, exclusive=True, wait=max(self.timeout, 1.0) * 10):
            if seen is None or _file_id(self.path) != seen:
                return  # replaced meanwhile: write into the new file
            rows: list[tuple] = []
            kept: list[tuple] = []  # a fallback file's record of which file each answer belongs to
            names: list[tuple] = []  # the names the student gave
            try:
                conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, timeout=self.timeout)
                try:
                    rows = self._salvage(conn, [], [])
                    with contextlib.suppress(sqlite3.DatabaseError):
                        kept = conn.execute("SELECT id, progress_file FROM kept_for").fetchall()
                    with contextlib.suppress(sqlite3.DatabaseError):
                        names = conn.execute("SELECT id, name, replaces, given_at, progress_file FROM names").fetchall()
                finally:
                    conn.close()
            except sqlite3.DatabaseError:
                rows = []  # nothing readable (not a database at all)
            fd, fresh = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".salvage", dir=self.path.parent)
            os.close(fd)
            try:
                conn = sqlite3.connect(fresh, isolation_level=None)
                try:
                    conn.executescript(_SCHEMA)
                    conn.execute("BEGIN")
                    conn.executemany("INSERT INTO answers (id, student, lesson, exercise, correct, answer, answered_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                    conn.executemany("INSERT OR IGNORE INTO kept_for (id, progress_file) VALUES (?, ?)", kept)
                    conn.executemany("INSERT OR IGNORE INTO names (id, name, replaces, given_at, progress_file) "
                                     "VALUES (?, ?, ?, ?, ?)", names)
                    conn.execute("COMMIT")
                    conn.execute("PRAGMA journal_mode = WAL")
                finally:
                    conn.close()
                target = self._move_aside()
                os.replace(fresh, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(fresh)
                raise
        self.notices.append(
            f"Your progress file {self.path} could not be read in full ({_first_line(exc)}). It was kept, renamed "
            f"to {target}; the {_plural(len(rows), 'answer')} that could be read from it were copied into a fresh "
            "progress file. Answers from now on are saved.")

    def _move_aside(self) -> Path:
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
        return target

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
            _TEMP_FALLBACKS.append(str(folder / FILE_NAME))
        self.path = (folder / FILE_NAME).absolute()
        self._ready = False
        self._fell_back = True
        return (f"Your progress file {old} cannot be written: {cause(exc, old)}. Your answers are being saved "
                f"to {self.path} instead (reading {old} finds them there too). Set {ENV_VAR} to a file in a "
                "folder you can write to keep them somewhere permanent.")

    # --- writing -------------------------------------------------------------------

    def record(self, lesson: str, exercise: str, correct: bool, answer: str,
               student: str | None = None) -> Saved:
        """Save one answer (and any answer still waiting). Never raises."""
        with self._guard:
            self.pending.append(Attempt(
                clean_text(student) if student else self.student(), clean_text(lesson), clean_text(exercise),
                bool(correct), clean_text(answer), datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            ))
            return self.flush()

    def flush(self) -> Saved:
        """Write every waiting answer, retrying briefly while the file is locked (then in the
        background); if the file cannot be written, try the private fallback once. The message
        says plainly what was not saved."""
        with self._guard:
            return self._flush()

    def _flush(self) -> Saved:
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
            background = self._retry_in_background()
            message = (f"Your answer is NOT saved yet: the progress file {self.path} is {cause(last)}. "
                       f"{_plural(waiting, 'answer')} kept in memory"
                       + (", saved in the background as soon as the file is free (or with your next answer)."
                          if background else " and will be saved with your next answer."))
        else:
            message = (f"Your answer is NOT saved: {cause(last, self.path)} ({self.path}){fallback_failed}. "
                       f"{_plural(waiting, 'answer')} "
                       "kept only in memory, lost if this notebook stops; fix the problem (or set "
                       f"{ENV_VAR} to a file you can write) and check an answer again to save them.")
        notices = self._take_notices()
        return Saved(False, f"{notices} {message}" if notices else message)

    def _retry_in_background(self) -> bool:
        """Keep trying a locked file without holding up the notebook; False where there are no
        threads (the browser)."""
        if lite.IN_BROWSER:
            return False
        if self._retrying is not None and self._retrying.is_alive():
            return True

        def retry() -> None:
            delay, deadline = 0.1, time.monotonic() + BACKGROUND_SECONDS
            while time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                with self._guard:
                    if not self.pending:
                        return
                    last = self._try_write()
                    if last is None or not _is_locked(last):
                        return  # saved, or a problem the next Check reports

        self._retrying = threading.Thread(target=retry, name="deshaney-progress-retry", daemon=True)
        self._retrying.start()
        return True

    def _try_write(self) -> BaseException | None:
        """Write the waiting answers here; None when all are saved, else the last error. A
        locked file is retried for about FOREGROUND_SECONDS at most."""
        delay = 0.05
        last: BaseException | None = None
        started = time.monotonic()
        for attempt in range(self.retries + 1):
            seen = _file_id(self.path)
            try:
                with _file_lock(self.path, exclusive=False, wait=self.timeout):
                    self._prepare()
                    self._write_what_fits()
                return None
            except sqlite3.DatabaseError as exc:
                last = exc
                if _is_corrupt(exc) and self.path.is_file():
                    self._ready = False
                    try:
                        self._recover(exc, seen)
                    except sqlite3.DatabaseError as again:
                        last = again
                        if not _is_locked(again):
                            return again
                    except OSError as again:
                        return again
                    continue
                if not _is_locked(exc):
                    return exc
            except OSError as exc:
                return exc
            if attempt < self.retries and time.monotonic() - started < FOREGROUND_SECONDS:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            elif _is_locked(last):
                break
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
                for a in attempts:
                    if isinstance(a, GivenName):
                        conn.execute("INSERT INTO names (name, replaces, given_at, progress_file) VALUES (?, ?, ?, ?)",
                                     (a.name, a.replaces, a.given_at, str(self.home) if self.path != self.home else None))
                        continue
                    cur = conn.execute(
                        "INSERT INTO answers (student, lesson, exercise, correct, answer, answered_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (a.student, a.lesson, a.exercise, int(a.correct), a.answer, a.answered_at))
                    if self.path != self.home:  # a fallback: say which file the answer belongs to
                        conn.execute("INSERT INTO kept_for (id, progress_file) VALUES (?, ?)",
                                     (cur.lastrowid, str(self.home)))
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

    # --- the student's name --------------------------------------------------------------

    def student(self) -> str:
        """Whose answers these are: DESHANEY_STUDENT if set, else the name given, else the login name."""
        return name_from_environment() or self.given_name() or login_name()

    def set_name(self, value: object) -> Saved:
        """Keep the name the student typed with her progress (like an answer: under the file's lock,
        to the fallback if the file cannot be written, said at once if it is not saved). The answers
        saved before under her login name are read as hers from then on. Never raises; an empty or
        unusable name is refused (Saved(False, why))."""
        name, problem = check_name(value)
        if name is None:
            return Saved(False, problem)
        with self._guard:
            before = self.given_name()
            self.pending.append(GivenName(name, before or login_name(),
                                          datetime.now(timezone.utc).isoformat(timespec="microseconds")))
            self._name = name  # used at once, saved or not: the answers carry it too
            saved = self.flush()
        if saved.ok:
            return saved
        return Saved(False, f"Your name is used in this notebook but is NOT saved with your progress yet: {saved.message}")

    def given_name(self) -> str | None:
        """The latest name the student gave (None: none yet). Read-only, never raises."""
        if self._name is None:
            names = self._names()
            if names:
                self._name = names[-1][1]
        return self._name

    def _names(self) -> list[tuple[str, str, str]]:
        """(given_at, name, replaces), oldest first: this file's, and those saved for it in a fallback."""
        found: list[tuple] = []
        lite.pull(self.path)  # Lite: a name another notebook saved since
        key = str(self.home)
        files = [(self.home, "progress_file IS NULL OR progress_file = ?")]
        files += [(f, "progress_file = ?") for f in dict.fromkeys([self.path, *_own_fallbacks(self.home)])
                  if f != self.home]
        for path, where in files:
            try:
                if not path.is_file() or path.stat().st_size == 0:
                    continue
                require_regular_file(path)
                with _connect_read_only(path, self.timeout) as conn:
                    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'names'").fetchone() is None:
                        continue
                    found += conn.execute(f"SELECT given_at, id, name, replaces FROM names WHERE {where}", [key]).fetchall()
            except (sqlite3.Error, OSError):
                continue  # a name that cannot be read is asked for again; the answers' reader reports the damage
        found += [(g.given_at, 0, g.name, g.replaces) for g in self.pending if isinstance(g, GivenName)]
        return [(at, name, replaces) for at, _, name, replaces in sorted(set(found))]

    def _aliases(self) -> dict[str, str]:
        """The student values to read as the latest name given: the login names answers were saved
        under before it, and any earlier name given."""
        names = self._names()
        if not names:
            return {}
        latest = names[-1][1]
        out = {}
        for _, name, replaces in names:
            out[replaces] = latest
            out[name] = latest
        return out

    # --- reading -------------------------------------------------------------------

    def attempts(self, student: str | None = None, lesson: str | None = None) -> list[Attempt]:
        """Every saved answer, oldest first (answers still waiting are not included): the file's
        and those saved for it in a private fallback while it could not be written. Reads the
        file read-only; from a damaged file, the rows that can be read (see `damage`)."""
        lite.pull(self.path)  # Lite: answers another notebook saved since
        self.damage = None
        self.also_read = []
        where, args = [], []
        aliases = self._aliases()
        if student is not None:
            shown = aliases.get(student, student)
            raw = sorted({student, shown, *(k for k, v in aliases.items() if v == shown)})
            where.append(f"student IN ({', '.join('?' * len(raw))})")
            args.extend(raw)
        if lesson is not None:
            where.append("lesson = ?")
            args.append(lesson)
        rows: list[tuple] = []
        files = [self.home] + ([self.path] if self.path != self.home else [])
        for n, path in enumerate(files):
            if n == 0 and path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder, not the progress file", str(path))
            if not path.exists():
                continue  # reading never creates the file
            require_regular_file(path)
            if path.stat().st_size == 0:
                continue  # an empty file holds no answers (and is not made a database by reading)
            with _connect_read_only(path, self.timeout) as conn:
                found = self._salvage(conn, where, args)
                if n == 0:
                    self._check_integrity(conn)
            if n == 0:
                rows.extend(found)
            else:
                self.also_read.append(str(path))
        kept, used, problems = _rows_kept_for(self.home, where, args)
        rows.extend(kept)
        self.also_read = list(dict.fromkeys(self.also_read + used))
        if problems:
            self.damage = "; ".join([*([self.damage] if self.damage else []), *problems])
        if self.damage:
            self.notices.append(f"Your progress file {self.home} is damaged or incomplete ({self.damage}); "
                                f"{_plural(len(rows), 'answer')} could be read. The file is kept as it is until "
                                "your next answer is saved.")
        seen, unique = set(), []
        for r in sorted(rows, key=lambda r: (r[6], r[0])):  # by time: an answer saved late keeps its place
            if r[1:] not in seen:
                seen.add(r[1:])
                unique.append(r)
        return [Attempt(aliases.get(s, s), l, e, bool(c), a, t) for _, s, l, e, c, a, t in unique]

    def _check_integrity(self, conn: sqlite3.Connection) -> None:
        """A damaged page the rows did not pass through (an index) is damage too: say so."""
        if self.damage:
            return
        try:
            row = conn.execute("PRAGMA quick_check(1)").fetchone()
        except sqlite3.DatabaseError as exc:
            self.damage = _first_line(exc)
            return
        if row is not None and row[0] != "ok":
            self.damage = _first_line(row[0])

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
                self.damage = _first_line(exc)
                after, jump = after + jump, jump * 2

    def latest(self, lesson: str, student: str | None = None) -> dict[str, bool]:
        """Each exercise of a lesson and whether its latest saved answer was right."""
        out: dict[str, bool] = {}
        for a in self.attempts(student or current_student(), lesson):
            out[a.exercise] = a.correct
        return out

    def hand_in_name(self) -> str:
        """The hand-in file's name: handin-<the student's name>.csv, or progress.csv without one."""
        name = name_from_environment() or self.given_name()
        return f"handin-{name_slug(name)}.csv" if name else "progress.csv"

    def export_csv(self, dest: str | os.PathLike, student: str | None = None) -> int:
        """Write the saved answers to CSV (header plus one row each); return the row count.
        The student column holds the name the student gave (answers saved under her login name
        before it are hers), and `named` says whether it is a name she gave (or DESHANEY_STUDENT).
        Cells that a spreadsheet would run as a formula are written as text; the file is written
        whole or not at all."""
        dest = Path(dest)
        if dest.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name such as progress.csv", str(dest))
        ours = {f.resolve().with_name(f.name + s) for f in {self.home, self.path}
                for s in ("", "-wal", "-shm", LOCK_SUFFIX)}
        if dest.exists() and dest.resolve() in ours:
            raise FileExistsError(errno.EEXIST, "is the progress file itself; choose another name", str(dest))
        rows = self.attempts(student)
        if not dest.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, "its folder does not exist", str(dest))
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(HANDIN_COLUMNS)
                named = {n for _, n, _ in self._names()} | {name_from_environment()} - {None}
                for a in rows:
                    values = list(astuple(a))
                    values[3] = "yes" if a.correct else "no"
                    values.append("yes" if a.student in named else "no")
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
    from .loading import one_line

    store = ProgressStore(path)
    atexit.unregister(store._flush_quietly)
    if args.student:
        args.student = clean_text(args.student)  # as the name was saved (a byte not UTF-8 read as Latin-1)
    try:
        require_regular_file(path)
        if args.export:
            n = store.export_csv(args.export, args.student)
            done = f"Wrote {_plural(n, 'answer')} from {store.path} to {args.export}"
        else:
            rows = store.attempts(args.student)
            lessons: dict[str, dict[str, bool]] = {}
            for a in rows:
                lessons.setdefault(a.lesson, {})[a.exercise] = a.correct
            lines = [f"{store.path}: {_plural(len(rows), 'answer')}"]
            for lesson, latest in sorted(lessons.items())[:MAX_LESSON_LINES]:
                lines.append(one_line(f"  {lesson}", 80)
                             + f": {sum(latest.values())} of {len(latest)} exercises right on the latest try")
            if len(lessons) > MAX_LESSON_LINES:
                lines.append(f"  ... and {len(lessons) - MAX_LESSON_LINES} more lessons")
            done = "\n".join(lines)
        if store.also_read:
            done += f" (with the answers saved for it in {', '.join(store.also_read)} while it could not be written)"
    except (sqlite3.Error, OSError) as exc:
        where = getattr(exc, "filename", None) or store.path
        what = "is not a progress file (not an SQLite database)" if "not a database" in str(exc).lower() \
            else "is not a progress file (it has no answers table)" if "no such table" in str(exc).lower() \
            else f"could not be read: {cause(exc)}" if isinstance(exc, sqlite3.Error) else \
            f"{exc.strerror or cause(exc)}"
        print(one_line(f"{where}: {what}; nothing was changed."), file=sys.stderr)
        return 2
    if store.damage:
        # Salvaged: the output is written, but say loudly that it is incomplete (exit 2, all on stderr).
        print(done, file=sys.stderr)
        print(f"{store.path}: the file is damaged ({store.damage}); the rows above are the ones that could "
              "be read. The file was not changed; keep a copy and ask for help recovering the rest.", file=sys.stderr)
        return 2
    print(done)
    return 0


MAX_LESSON_LINES = 40


def hand_in_sentence(store: "ProgressStore", path: Path, n: int) -> str:
    """What `write_hand_in` tells the student after `store.export_csv(path)` wrote `n` answers:
    where, how many, which fallback files they include, and plainly what could not be read."""
    home = getattr(store, "home", getattr(store, "path", "your progress file"))
    damage, also = getattr(store, "damage", None), getattr(store, "also_read", [])
    if n == 0 and not damage:
        return (f"Wrote {path}, but it has no answers yet: none are saved in {home}. "
                "Check some answers first, then hand in again.")
    said = f"Wrote {_plural(n, 'answer')} to {path}"
    if also:
        said += f" (the answers in {home} and those saved in {', '.join(also)} while it could not be written)"
    said += ". Hand in that file (in JupyterLab it is in the file browser, beside this notebook)."
    if damage:
        said += (f" It may be INCOMPLETE: {damage}. Hand it in and tell your instructor; keep the "
                 "progress file so the rest can be recovered.")
    return said


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
