"""The professor's class report: students' hand-in CSVs in, one HTML page (plotly) out.

    python -m helpers class-report alice.csv bob.csv -o class-report.html

It shows first-try accuracy per exercise, the elements and circuits students most often got
wrong, the facts they most often read otherwise than the majority (each wrong answer graded again against the bank, so a tick that should not be there and
a missing tick both count), and the argument moves chosen in each ply. The next class starts
where the students are.
"""
from __future__ import annotations

import csv
import errno
import html
import io
import os
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .exercises.bank import BANK_FILE, LESSONS_DIR, load_lesson
from .exercises.contested import load_course
from .exercises.grading import parse_saved
from .progress import COLUMNS
from .readings import readings


class ReportError(ValueError):
    """A hand-in file that cannot be read; the message names the file (and line)."""


@dataclass
class ClassData:
    students: set = field(default_factory=set)
    first_try: dict = field(default_factory=dict)  # (lesson, exercise) -> [right, total]
    missed: Counter = field(default_factory=Counter)  # (kind, label) -> wrong answers touching it
    moves: dict = field(default_factory=lambda: defaultdict(Counter))  # ply -> Counter of (move, strong)
    rows: int = 0


MAX_HAND_IN_BYTES = 20 * 1024 * 1024  # a term of answers is well under 1 MB
MAX_LABEL = 80  # characters of a student's string shown in the report
REPORT_MARK = '<meta name="generator" content="deshaney-workbook class-report">'
_OLD_REPORT_START = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def read_hand_ins(paths: list[str | Path]) -> list[dict]:
    """Every row of every file, checked: the header must be the hand-in file's (`progress --export`).
    UTF-8 with or without a BOM (as Excel saves 'CSV UTF-8'); any other encoding is named, with
    its line. Only regular files are read (a pipe would wait forever), each up to a size limit."""
    from .loading import DataError, decode, one_line, read_bytes, shorten

    rows = []
    for path in map(Path, paths):
        try:
            data, name = read_bytes(path, limit=MAX_HAND_IN_BYTES, name=str(path))
            text = decode(data, name)
        except DataError as exc:
            raise ReportError(one_line(exc.problems[0] + ("" if "UTF-8" not in exc.problems[0] else
                                                          " (in Excel: Save As, 'CSV UTF-8')"))) from None
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != COLUMNS:
                got = one_line(",".join(header or []), 120) or "nothing"
                raise ReportError(f"{path}:1: not a hand-in file: the header must be {','.join(COLUMNS)} (got {got})")
            for row in reader:
                n = reader.line_num
                if not row:
                    continue
                if len(row) != len(COLUMNS):
                    raise ReportError(f"{path}:{n}: expected {len(COLUMNS)} columns, got {len(row)}")
                rec = dict(zip(COLUMNS, row))
                if rec["correct"] not in ("yes", "no"):
                    raise ReportError(f"{path}:{n}: correct must be yes or no, not {shorten(rec['correct'])}")
                rows.append(rec)
        except csv.Error as exc:
            raise ReportError(one_line(f"{path}:{reader.line_num}: not a CSV file a hand-in can be: {exc}")) from None
    return rows


def known_lessons() -> frozenset:
    """The lessons that have an exercise bank: the only lesson ids a hand-in row may name."""
    return frozenset(p.parent.name for p in LESSONS_DIR.glob(f"*/{BANK_FILE}"))


def text_label(value: str, limit: int = MAX_LABEL) -> str:
    """A string from a student's file as plain text in the report (plotly reads a little HTML in
    labels and titles: links, styles; none of it may come from a student): control characters
    escaped, cut to `limit`, then HTML-escaped."""
    from .loading import one_line

    return html.escape(one_line(value, limit), quote=True)


def _bank(lesson: str, cache: dict):
    from .loading import DataError

    if lesson not in cache:
        if not _ID.match(lesson) or lesson not in known_lessons():
            cache[lesson] = None  # an id, never a path: only the lessons that exist are opened
            return None
        try:
            cache[lesson] = load_lesson(lesson)
        except DataError:
            cache[lesson] = None
    return cache[lesson]


def summarise(rows: list[dict]) -> ClassData:
    from .facts import CIRCUIT_NAMES

    data = ClassData(rows=len(rows))
    seen: set = set()
    banks: dict = {}
    for r in sorted(rows, key=lambda r: r["answered_at"]):
        data.students.add(r["student"])
        key = (r["lesson"], r["exercise"])
        right = r["correct"] == "yes"
        if (r["student"],) + key not in seen:
            seen.add((r["student"],) + key)
            tally = data.first_try.setdefault(key, [0, 0])
            tally[0] += right
            tally[1] += 1
        bank = _bank(r["lesson"], banks)
        ex = None
        if bank is not None:
            ex = next((e for e in bank.exercises if e.id == r["exercise"]), None)
        if ex is None:
            continue
        answer = parse_saved(ex, r["answer"])
        if ex.type == "argue":
            for ply in ex.plies:
                m = ply.move(answer.get(ply.id, "")) if isinstance(answer, dict) else None
                if m is not None:
                    data.moves[ply.label][(m.text, m.correct)] += 1
            continue
        if ex.type == "characterise":
            from .facts import vocabulary

            for f, v in answer.items():
                if v != getattr(ex.facts, f):
                    data.missed[("fact", vocabulary()[f].label)] += 1
            continue
        if right or ex.select != "many":
            continue
        ticked = set(answer)
        for c in ex.choices:
            if (c.id in ticked) != c.correct:
                kind = "circuit" if c.id in CIRCUIT_NAMES else "element"
                data.missed[(kind, c.text)] += 1
    return data


def _figure_html(fig, first: bool) -> str:
    import plotly.io as pio

    return pio.to_html(fig, full_html=False, include_plotlyjs=True if first else False,
                       config={"displayModeBar": False})


def readings_note(course: dict) -> str:
    """What the scores count where the law is open: the readings the course fixed, or that either
    answer was accepted wherever one of the workbook's own readings decided it."""
    if not course:
        return ("<p class='report-readings'>Contested answers: wherever one of the workbook's own readings "
                "(data/readings.yaml) decided an answer, either answer was scored right. Your course fixes no "
                "reading (lessons/course.yaml).</p>")
    known = readings()
    items = "".join(f"<li>{html.escape(known[k].topic)}: <b>{'the workbook' if side == 'ours' else 'the other'}"
                    f"</b> reading ({html.escape(known[k].ours if side == 'ours' else known[k].other)})</li>"
                    for k, side in sorted(course.items()) if k in known)
    return ("<p class='report-readings'>Readings your course fixes (lessons/course.yaml); on these the grader "
            f"keyed only the course's reading, and elsewhere it accepted either answer:</p><ul>{items}</ul>")


def render(data: ClassData, title: str = "Class report", course: dict | None = None) -> str:
    import plotly.graph_objects as go

    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{len(data.students)} student(s), {data.rows} saved answer(s).</p>",
             readings_note(course or {})]
    figs = []
    keys = sorted(data.first_try)
    labels = [text_label(f"{lesson[:2]} {ex}") for lesson, ex in keys]
    rates = [round(100 * data.first_try[k][0] / data.first_try[k][1]) for k in keys]
    fig = go.Figure(go.Bar(x=rates, y=labels, orientation="h", marker_color="#3f51b5",
                           text=[f"{data.first_try[k][0]}/{data.first_try[k][1]}" for k in keys]))
    fig.update_layout(title="First-try accuracy per exercise (%)", xaxis_range=[0, 100],
                      height=max(300, 22 * len(keys) + 120), margin=dict(l=260))
    figs.append(("first-try", fig))
    for kind, name in (("element", "Most-missed elements"), ("circuit", "Most-missed circuits"),
                       ("fact", "Facts most often read otherwise than the majority")):
        items = [(text_label(label), n) for (k, label), n in data.missed.most_common() if k == kind][:15]
        fig = go.Figure(go.Bar(x=[n for _, n in items], y=[label for label, _ in items], orientation="h",
                               marker_color="#b71c1c"))
        fig.update_layout(title=name + (" (wrong ticks and missed ticks in wrong answers)" if kind != "fact" else
                                        " (characterise exercises)"),
                          height=max(260, 24 * len(items) + 120), margin=dict(l=320))
        figs.append((kind, fig))
    for ply, counts in sorted(data.moves.items()):
        items = counts.most_common(10)
        fig = go.Figure(go.Bar(x=[n for _, n in items], y=[text_label(t, 70) for (t, _), n in items], orientation="h",
                               marker_color=["#1b5e20" if ok else "#ef6c00" for (_, ok), _ in items]))
        fig.update_layout(title=f"Argument moves chosen: {text_label(ply)} (green: strong, orange: weak)",
                          height=max(260, 26 * len(items) + 120), margin=dict(l=420))
        figs.append(("moves", fig))
    for i, (kind, fig) in enumerate(figs):
        parts.append(f"<section class='report-{kind}'>{_figure_html(fig, i == 0)}</section>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>" + REPORT_MARK + "<title>" + html.escape(title) + "</title>"
            "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}</style></head><body>"
            + "".join(parts) + "</body></html>")


def check_output(dest: str | Path, inputs: list[str | Path]) -> Path:
    """The report's path, refused (ReportError) if it is one of the hand-ins, a folder, in a
    folder that does not exist, or an existing file that is not an earlier class report."""
    out = Path(dest)
    for src in map(Path, inputs):
        try:
            same = out.resolve() == src.resolve() or (out.exists() and src.exists() and os.path.samefile(out, src))
        except OSError:  # a name too long, a loop of links: not the same file as far as can be told
            same = False
        if same:  # a hard link to a hand-in is the hand-in too
            raise ReportError(f"{out}: is one of the hand-in files; the report never writes over an input "
                              "(choose another name with -o)")
    if out.is_dir():
        raise ReportError(f"{out}: is a folder; give a file name such as {out / 'class-report.html'}")
    if not out.parent.is_dir():
        raise ReportError(f"{out}: its folder {out.parent} does not exist")
    if out.exists() or out.is_symlink():
        try:
            with open(out, "rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace") if out.is_file() else ""
        except OSError:
            head = ""
        if REPORT_MARK not in head and not head.startswith(_OLD_REPORT_START + "Class report"):
            raise ReportError(f"{out}: exists and is not an earlier class report; it is not overwritten "
                              "(choose another name with -o, or remove it)")
    return out


def _write_whole(out: Path, text: str) -> None:
    """The page written whole or not at all (a temporary file beside it, then renamed)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name[:100]}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise ReportError(f"{out}: cannot be written: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if exc.errno == errno.ENAMETOOLONG:
            raise ReportError(f"{out}: the name is too long") from None
        raise ReportError(f"{out}: cannot be written: {exc.strerror or exc}") from None


def class_report(paths: list[str | Path], dest: str | Path = "class-report.html") -> tuple[Path, ClassData]:
    out = check_output(dest, paths)
    data = summarise(read_hand_ins(paths))
    _write_whole(out, render(data, course=load_course(LESSONS_DIR)))
    return out, data


def add_arguments(parser) -> None:
    parser.add_argument("csv", nargs="+", help="students' hand-in files (progress --export)")
    parser.add_argument("-o", "--output", default="class-report.html", help="the HTML page to write")


def run(args) -> int:
    import sys

    from .loading import one_line

    try:
        out, data = class_report(args.csv, args.output)
    except ReportError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except OSError as exc:  # a name too long, a folder that vanished: the user's to fix
        print(one_line(f"{exc.filename or args.output}: {exc.strerror or exc}"), file=sys.stderr)
        return 2
    print(one_line(f"wrote {out}: {len(data.students)} student(s), {data.rows} answer(s), "
                   f"{len(data.first_try)} exercise(s)"))
    return 0
