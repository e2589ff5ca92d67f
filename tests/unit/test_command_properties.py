"""Property tests for the commands a professor runs on files from students (issue 18): random
bytes, random CSV rows and random names given to `class-report`, `progress` and `check-lessons`.
Whatever comes in: exit 0 or 2, no traceback, bounded output, nothing written outside the named
output, and no file read outside the inputs, the lessons and the program's own files (watched by
an audit hook, so a read through any path counts)."""
from __future__ import annotations

import atexit
import contextlib
import csv
import io
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import cli
from helpers.progress import COLUMNS, Attempt, ProgressStore

ROOT = Path(__file__).resolve().parents[2]
QUICK = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])
MAX_OUTPUT = 64 * 1024
PLANTED = Path(tempfile.mkdtemp(prefix="planted-lesson-"))  # outside the lessons: never to be read
atexit.register(shutil.rmtree, PLANTED, True)
(PLANTED / "exercises.yaml").write_text("lesson: planted\ntitle: planted\nexercises: []\n")
PLANTED_ID = os.path.relpath(PLANTED, ROOT / "lessons")

_PROGRAM = [str(ROOT / d) for d in ("helpers", "lessons", "data")] + sorted(
    {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, *sysconfig.get_paths().values())})
_OS = ("/dev/", "/proc/", "/sys/", "/etc/", "/usr/")


class Watch:
    """Every file opened, renamed, removed or connected to while `inside` is set."""

    def __init__(self):
        self.inside: Path | None = None
        self.writes: list[str] = []
        self.reads: list[str] = []

    def __call__(self, event: str, args: tuple) -> None:
        if self.inside is None:
            return
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None))[:3]
            if isinstance(path, int) or path is None:
                return
            path = os.fsdecode(path)
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            (self.writes if writing else self.reads).append(os.path.abspath(path))
        elif event in ("os.rename", "os.remove", "os.mkdir", "os.rmdir", "shutil.rmtree", "os.chmod"):
            target = args[1] if event == "os.rename" else args[0]
            if not isinstance(target, int):
                self.writes.append(os.path.abspath(os.fsdecode(target)))
        elif event == "sqlite3.connect":
            target = os.fsdecode(args[0])
            if target.startswith("file:"):  # a URI: its path
                from urllib.parse import unquote, urlparse

                target = unquote(urlparse(target).path)
            self.reads.append(os.path.abspath(target))


WATCH = Watch()
sys.addaudithook(WATCH)


def _inside(path: str, folder: Path | str) -> bool:
    folder = os.path.realpath(folder)
    real = os.path.realpath(path)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def run(argv: list[str], folder: Path, output: Path | None, temp_ok: bool = False) -> tuple[int, str, str]:
    """`python -m helpers ARGV` in this process, watched; checks the properties and returns
    (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    before = {p.name for p in folder.iterdir()}
    WATCH.writes, WATCH.reads, WATCH.inside = [], [], folder
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main(argv)
            except SystemExit as exc:  # argparse's own refusals
                status = exc.code
    finally:
        WATCH.inside = None
    stdout, stderr = out.getvalue(), err.getvalue()
    assert status in (0, 2), (argv, status, stderr[-500:])
    assert "Traceback" not in stdout + stderr and "internal error" not in stderr, stderr[-2000:]
    assert len(stdout) + len(stderr) < MAX_OUTPUT and len(stderr.splitlines()) <= 63
    assert "\x1b" not in stdout + stderr
    for path in WATCH.writes:
        if path == os.devnull:
            continue
        assert (output is not None and _inside(path, output.parent) and Path(path).name.startswith(
            (output.name, "." + output.name[:100]))) or (temp_ok and _inside(path, tempfile.gettempdir())), \
            f"wrote {path} (allowed: {output})"
    for path in WATCH.reads:
        assert _inside(path, folder) or any(_inside(path, p) for p in _PROGRAM) or path.startswith(_OS) \
            or (temp_ok and _inside(path, tempfile.gettempdir())), f"read {path}"
        assert not _inside(path, PLANTED), f"read the planted {path}"
    after = {p.name for p in folder.iterdir()}
    assert after - before <= ({output.name} if output is not None else set()), after - before
    return status, stdout, stderr


def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="cmd-prop-"))


def _warm_up() -> None:
    folder = _folder()
    try:
        good = folder / "a.csv"
        good.write_text(",".join(COLUMNS) + "\nann,01_deshaney,why_joshua_lost,yes,a,t\n")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cli.main(["class-report", str(good), "-o", str(folder / "r.html")])
            cli.main(["check-lessons", str(good)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_warm_up()  # the imports plotly and the engine need, before anything is watched

names = st.one_of(st.text(min_size=1, max_size=120),
                  st.binary(min_size=1, max_size=60).map(os.fsdecode),
                  st.sampled_from(["..", "../../x", "/etc/passwd", PLANTED_ID, "-o", "--db", "\x1b[2J", "01_deshaney",
                                   "<a href='https://evil.example'>x</a>", "=cmd|' /C calc'!A0", "x" * 5000]))
cells = st.one_of(names, st.sampled_from(["yes", "no", "01_deshaney", "why_joshua_lost", "b", "2026-01-01"]))


# --- class-report --------------------------------------------------------------------------------

@QUICK
@given(data=st.binary(max_size=3000), prefix=st.booleans())
def test_class_report_on_random_bytes(data, prefix):
    folder = _folder()
    try:
        src = folder / "hand-in.csv"
        src.write_bytes(((",".join(COLUMNS) + "\n").encode() if prefix else b"") + data)
        run(["class-report", str(src), "-o", str(folder / "report.html")], folder, folder / "report.html")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


hand_in_rows = st.one_of(
    st.lists(cells, min_size=5, max_size=7),  # any shape
    st.tuples(names, st.one_of(st.just(PLANTED_ID), cells), names, st.sampled_from(["yes", "no"]), names,
              names).map(list))  # the shape of a hand-in row, with anything in it


@QUICK
@given(rows=st.lists(hand_in_rows, max_size=12), output=st.one_of(names, st.just("hand-in.csv")))
@example(rows=[["ann", PLANTED_ID, "x", "no", "a", "t"]], output="report.html")
@example(rows=[["ann", "01_deshaney", "x", "no", "a", "t"]], output="hand-in.csv")
@example(rows=[["ann", "01_deshaney", "\x1b[2J" * 100, "maybe", "a", "t"]], output="r.html")
def test_class_report_on_random_rows_and_names(rows, output):
    folder = _folder()
    try:
        src = folder / "hand-in.csv"
        with open(src, "w", newline="", encoding="utf-8", errors="surrogateescape") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerows(rows)
        name = output.replace("/", "_").replace("\x00", "_") or "r"
        target = folder / name
        run(["class-report", str(src), "-o", str(target)], folder, target)
        assert src.exists()  # an input is never replaced
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- progress ------------------------------------------------------------------------------------

@QUICK
@given(rows=st.lists(st.tuples(names, names, names, names), min_size=0, max_size=8), student=names,
       export=st.booleans())
def test_progress_on_random_names(rows, student, export):
    folder = _folder()
    try:
        db = folder / "p.sqlite3"
        store = ProgressStore(db)
        store._prepare()
        store._write([Attempt(*(s.encode("utf-8", "replace").decode("utf-8") for s in (w, l, e)), True,
                              a.encode("utf-8", "replace").decode("utf-8"), "2026-01-01") for w, l, e, a in rows])
        target = folder / "export.csv"
        argv = ["progress", "--db", str(db), "--student", student] + (["--export", str(target)] if export else [])
        run(argv, folder, target if export else None, temp_ok=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@QUICK
@given(data=st.binary(max_size=3000))
def test_progress_on_random_bytes(data):
    folder = _folder()
    try:
        db = folder / "p.sqlite3"
        db.write_bytes(data)
        run(["progress", "--db", str(db)], folder, None, temp_ok=True)
        assert db.read_bytes() == data  # reading never changes the file
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- check-lessons --------------------------------------------------------------------------------

@QUICK
@given(data=st.binary(max_size=3000))
@example(data=b"lesson: x\ntitle: t\nexercises:\n" + b"".join(b"  - {id: e%d, type: zz}\n" % i for i in range(300)))
def test_check_lessons_on_random_bytes(data):
    folder = _folder()
    try:
        bank = folder / "exercises.yaml"
        bank.write_bytes(data)
        run(["check-lessons", str(bank)], folder, None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@QUICK
@given(ids=st.lists(names, max_size=8), lesson=names)
def test_check_lessons_on_random_names(ids, lesson):
    folder = _folder()
    try:
        bank = folder / "exercises.yaml"
        import json

        entries = "".join(f"  - {{id: {json.dumps(i, ensure_ascii=True)}, type: multiple_choice, title: t, "
                          f"prompt: p, choices: [{{id: a, text: A, correct: true}}, {{id: {json.dumps(i)}, "
                          "text: B}]}\n" for i in ids)
        bank.write_text(f"lesson: {json.dumps(lesson, ensure_ascii=True)}\ntitle: t\nexercises:\n{entries}",
                        encoding="utf-8", errors="surrogateescape")
        run(["check-lessons", str(bank)], folder, None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
