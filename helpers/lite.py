"""The workbook in the browser (JupyterLite, Python in Pyodide): where progress is kept.

In JupyterLite, files under /drive live in the browser's own storage (IndexedDB, through
JupyterLite's drive) and survive a reload and a closed tab; everything else is memory.
SQLite cannot work on /drive directly (it reports "database disk image is malformed"), so
the progress store works on a copy in /tmp and this module keeps the two in step:

- `working_path()`: where the store opens its file in the browser (/tmp/...), restored
  from /drive the first time;
- `pull(path)`: before the store reads or writes, take the /drive copy if another notebook
  (each notebook has its own kernel, with its own /tmp) saved answers since;
- `push(path)`: after each commit, copy the file to /drive.

Outside the browser (`sys.platform != "emscripten"`) every function here does nothing, and
the store keeps its file where it always has. (The hand-in CSV as a download link is
`exercises.handin.download_link`.)
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

IN_BROWSER = sys.platform == "emscripten"

#: JupyterLite's drive (the browser's storage) as the kernel sees it.
DRIVE = Path(os.environ.get("DESHANEY_LITE_DRIVE", "/drive"))
#: The copy that persists: beside the notebooks' folder, in the student's file browser.
SAVED_NAME = "progress.sqlite3"
#: The file SQLite works on, in the kernel's memory.
WORKING = Path(tempfile.gettempdir()) / "deshaney-workbook" / "progress.sqlite3"

_seen: dict[str, str | None] = {"digest": None}  # the /drive copy's digest when this kernel last synced


def saved_path() -> Path:
    return DRIVE / SAVED_NAME


def working_path() -> Path:
    """The progress file to open in the browser: /tmp, restored from /drive if there is a copy."""
    if not WORKING.exists():
        WORKING.parent.mkdir(parents=True, exist_ok=True)
        pull(WORKING)
    return WORKING


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _ours(path: Path | str | None) -> bool:
    return IN_BROWSER and path is not None and Path(path) == WORKING


def pull(path: Path | str | None) -> bool:
    """Take the /drive copy if it changed since this kernel last saw it; True if taken."""
    if not _ours(path):
        return False
    try:
        data = saved_path().read_bytes()
    except OSError:
        return False  # nothing saved yet, or the drive is not there: keep what we have
    digest = _digest(data)
    if digest == _seen["digest"]:
        return False
    for suffix in ("-wal", "-shm"):
        WORKING.with_name(WORKING.name + suffix).unlink(missing_ok=True)
    WORKING.parent.mkdir(parents=True, exist_ok=True)
    WORKING.write_bytes(data)
    _seen["digest"] = digest
    return True


def push(path: Path | str | None) -> bool:
    """Copy the working file to /drive (after a commit); True if copied."""
    if not _ours(path) or not WORKING.exists():
        return False
    if WORKING.with_name(WORKING.name + "-wal").exists():
        conn = sqlite3.connect(WORKING)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    data = WORKING.read_bytes()
    saved_path().write_bytes(data)
    _seen["digest"] = _digest(data)
    return True


def describe() -> str:
    """Where progress is kept, in the words a student of the browser version needs."""
    return ("Your answers are saved in this browser (the file progress.sqlite3 in the file browser): they "
            "survive a reload and a closed tab, but not another browser, another computer or clearing the "
            "site's data. To hand them in, run the hand-in cell and download the file it writes "
            "(handin-<your name>.csv).")
