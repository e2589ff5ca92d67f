"""The professor's class report: students' hand-in CSVs in, one HTML page (plotly) out.

    python -m helpers class-report alice.csv bob.csv -o class-report.html

It shows first-try accuracy per exercise, the elements and circuits students most often got
wrong, the facts they most often read otherwise than the majority (each wrong answer graded again against the bank, so a tick that should not be there and
a missing tick both count), and the argument moves chosen in each ply. The next class starts
where the students are. Students are counted by the name they gave (`who`); with `--gradebook
canvas|moodle` a gradebook CSV is written beside the page (docs/gradebook.md).
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
from .progress import COLUMNS, HANDIN_COLUMNS
from .readings import readings


class ReportError(ValueError):
    """A hand-in file that cannot be read; the message names the file (and line)."""


@dataclass
class ClassData:
    students: set = field(default_factory=set)  # each student once: the name she gave, else her file
    warnings: list = field(default_factory=list)  # said in the terminal and on the page
    scores: dict = field(default_factory=dict)  # student -> lesson -> {exercise: (first right, latest right)}
    first_try: dict = field(default_factory=dict)  # (lesson, exercise) -> [right, total]
    missed: Counter = field(default_factory=Counter)  # (kind, label) -> wrong answers touching it
    moves: dict = field(default_factory=lambda: defaultdict(Counter))  # ply -> Counter of (move, strong)
    rows: int = 0
    gradebooks: list = field(default_factory=list)  # the gradebook files written beside the report


MAX_HAND_IN_BYTES = 20 * 1024 * 1024  # a term of answers is well under 1 MB
MAX_LABEL = 80  # characters of a student's string shown in the report
REPORT_MARK = '<meta name="generator" content="deshaney-workbook class-report">'
_OLD_REPORT_START = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def read_hand_ins(paths: list[str | Path]) -> list[dict]:
    """Every row of every file, checked: the header must be the hand-in file's (`progress --export`;
    a hand-in from before names were asked has no `named` column and still loads). Each row also
    says which `file` it came from. UTF-8 with or without a BOM (as Excel saves 'CSV UTF-8'); any
    other encoding is named, with its line. Only regular files are read (a pipe would wait
    forever), each up to a size limit."""
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
            columns = tuple(h.strip() for h in header or ())
            if columns not in (HANDIN_COLUMNS, COLUMNS):
                got = one_line(",".join(header or []), 120) or "nothing"
                raise ReportError(f"{path}:1: not a hand-in file: the header must be {','.join(HANDIN_COLUMNS)} "
                                  f"(got {got})")
            for row in reader:
                n = reader.line_num
                if not row:
                    continue
                if len(row) != len(columns):
                    raise ReportError(f"{path}:{n}: expected {len(columns)} columns, got {len(row)}")
                rec = dict(zip(columns, row))
                if rec["correct"] not in ("yes", "no"):
                    raise ReportError(f"{path}:{n}: correct must be yes or no, not {shorten(rec['correct'])}")
                if rec.setdefault("named", "no") not in ("yes", "no"):
                    raise ReportError(f"{path}:{n}: named must be yes or no, not {shorten(rec['named'])}")
                rec["file"] = str(path)
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


def who(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Each row's student, once per person, and what the professor should know about it: a row
    whose student gave a name is hers by that name; a file with no name (a hand-in from before
    names were asked) is one student under its file name, said so; two files claiming one name
    are counted as one student (the same student handing in twice, most often), said so, with
    the answers both files hold counted once."""
    from .loading import one_line

    warnings: list[str] = []
    files: dict[str, set] = defaultdict(set)  # a name -> the files that claim it
    nameless: dict[str, int] = Counter()
    out, seen = [], set()
    for r in rows:
        named = r.get("named") == "yes" and r["student"].strip() != ""
        student = r["student"] if named else r.get("file", r["student"])
        if named:
            files[student].add(r.get("file", ""))
        else:
            nameless[r.get("file", r["student"])] += 1
        rec = dict(r, student=student)
        key = tuple(rec[c] for c in COLUMNS)
        if key in seen:
            continue  # the same answer in two hand-ins of one student
        seen.add(key)
        out.append(rec)
    for f in nameless:
        warnings.append(one_line(f"{f}: has no student name (a hand-in from before the workbook asked for one): its "
                                 "answers are counted as one student under the file's name", 300))
    for name, claimed in sorted(files.items()):
        if len(claimed) > 1:
            warnings.append(one_line(f"{len(claimed)} files claim the name {name!r} ({', '.join(sorted(claimed))}): "
                                     "counted as one student (the same student handing in twice?); if they are two "
                                     "students, ask one to hand in under a fuller name", 300))
    return out, warnings


def summarise(rows: list[dict]) -> ClassData:
    from .facts import CIRCUIT_NAMES

    rows, warnings = who(rows)
    data = ClassData(rows=len(rows), warnings=warnings)
    seen: set = set()
    banks: dict = {}
    for r in sorted(rows, key=lambda r: r["answered_at"]):
        data.students.add(r["student"])
        key = (r["lesson"], r["exercise"])
        right = r["correct"] == "yes"
        mine = data.scores.setdefault(r["student"], {}).setdefault(r["lesson"], {})
        mine[r["exercise"]] = (mine.get(r["exercise"], (right,))[0], right)  # (first try, latest)
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


#: What the report says where a chart would have no bars.
EMPTY = {
    "first-try": "First-try accuracy per exercise: no answers in these hand-ins yet.",
    "element": "Most-missed elements: no element was ticked wrongly or left unticked in these hand-ins.",
    "circuit": "Most-missed circuits: no circuit was ticked wrongly or left unticked in these hand-ins.",
    "fact": "Facts read otherwise than the majority: no characterise exercise answered otherwise in these hand-ins.",
    "moves": "Argument moves chosen: no three-ply argument answered in these hand-ins.",
}


def render(data: ClassData, title: str = "Class report", course: dict | None = None) -> str:
    import plotly.graph_objects as go

    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{len(data.students)} student(s), {data.rows} saved answer(s).</p>"]
    if data.warnings:
        parts.append("<div class='report-warnings'><p><b>Check these hand-ins:</b></p><ul>"
                     + "".join(f"<li>{text_label(w, 300)}</li>" for w in data.warnings) + "</ul></div>")
    if data.gradebooks:
        parts.append("<p class='report-gradebooks'>Gradebook written beside this page: "
                     + ", ".join(f"<code>{html.escape(Path(p).name)}</code>" for p in data.gradebooks)
                     + " (one row per student, a column per lesson; what a score counts and how to import it: "
                       "docs/gradebook.md).</p>")
    parts.append(readings_note(course or {}))
    figs = []  # (kind, a figure, or the sentence shown instead where there is nothing to draw)
    keys = sorted(data.first_try)
    labels = [text_label(f"{lesson[:2]} {ex}") for lesson, ex in keys]
    rates = [round(100 * data.first_try[k][0] / data.first_try[k][1]) for k in keys]
    fig = go.Figure(go.Bar(x=rates, y=labels, orientation="h", marker_color="#3f51b5",
                           text=[f"{data.first_try[k][0]}/{data.first_try[k][1]}" for k in keys]))
    fig.update_layout(title="First-try accuracy per exercise (%)", xaxis_range=[0, 100],
                      height=max(300, 22 * len(keys) + 120), margin=dict(l=260))
    figs.append(("first-try", fig if keys else EMPTY["first-try"]))
    for kind, name in (("element", "Most-missed elements"), ("circuit", "Most-missed circuits"),
                       ("fact", "Facts most often read otherwise than the majority")):
        items = [(text_label(label), n) for (k, label), n in data.missed.most_common() if k == kind][:15]
        fig = go.Figure(go.Bar(x=[n for _, n in items], y=[label for label, _ in items], orientation="h",
                               marker_color="#b71c1c"))
        fig.update_layout(title=name + (" (wrong ticks and missed ticks in wrong answers)" if kind != "fact" else
                                        " (characterise exercises)"),
                          height=max(260, 24 * len(items) + 120), margin=dict(l=320))
        figs.append((kind, fig if items else EMPTY[kind]))
    for ply, counts in sorted(data.moves.items()):
        items = counts.most_common(10)
        fig = go.Figure(go.Bar(x=[n for _, n in items], y=[text_label(t, 70) for (t, _), n in items], orientation="h",
                               marker_color=["#1b5e20" if ok else "#ef6c00" for (_, ok), _ in items]))
        fig.update_layout(title=f"Argument moves chosen: {text_label(ply)} (green: strong, orange: weak)",
                          height=max(260, 26 * len(items) + 120), margin=dict(l=420))
        figs.append(("moves", fig))
    if not data.moves:
        figs.append(("moves", EMPTY["moves"]))
    drawn = 0
    for kind, fig in figs:
        if isinstance(fig, str):  # nothing to draw: a sentence, never empty axes
            parts.append(f"<section class='report-{kind} report-empty'><p>{html.escape(fig)}</p></section>")
            continue
        parts.append(f"<section class='report-{kind}'>{_figure_html(fig, drawn == 0)}</section>")
        drawn += 1
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>" + REPORT_MARK + "<title>" + html.escape(title) + "</title>"
            "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}</style></head><body>"
            + "".join(parts) + "</body></html>")


def _is_report(head: str) -> bool:
    return REPORT_MARK in head or head.startswith(_OLD_REPORT_START + "Class report")


def check_output(dest: str | Path, inputs: list[str | Path], ours=_is_report, what: str = "class report") -> Path:
    """The report's path, refused (ReportError) if it is one of the hand-ins, a folder, in a
    folder that does not exist, or an existing file that is not an earlier class report (`ours`
    says which files may be written over)."""
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
        if not ours(head):
            raise ReportError(f"{out}: exists and is not an earlier {what}; it is not overwritten "
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


# --- the gradebook: one row per student, a column per lesson, for Canvas or Moodle ------------

#: The columns Canvas's gradebook import reads before the assignments, in its order (its own export's).
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: Moodle's CSV grade import maps any one column to a user field: the name, then the identifiers it can map to.
MOODLE_COLUMNS = ("Student", "Email address", "ID number", "Username")
GRADEBOOKS = {"canvas": CANVAS_COLUMNS, "moodle": MOODLE_COLUMNS}
SCORES = ("first", "latest")


def lesson_score(bank, answered: dict, score: str) -> float:
    """Percent of the lesson's exercises right (first try, or latest), every exercise in its bank
    counted, one not answered counting as not right."""
    ids = [e.id for e in bank.exercises]
    right = sum(1 for i in ids if i in answered and answered[i][0 if score == "first" else 1])
    return round(100 * right / len(ids), 1) if ids else 0.0


def lesson_column(bank, score: str) -> str:
    return f"DeShaney {bank.lesson} ({'first try' if score == 'first' else 'latest answer'}, %)"


def _name_key(name: str) -> tuple:
    """A name compared as words, in any order, without case or accents ('Doe, Jane' is 'Jane Doe')."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return tuple(sorted(re.findall(r"[a-z0-9]+", plain)))


def read_roster(path: str | Path) -> dict[tuple, dict]:
    """The LMS's own export (Canvas: Grades > Export; Moodle: Export > Plain text file), read for
    each student's identifiers, by name (the `Student` column, or `First name` and `Last name`/
    `Surname`, or `Full name`). A name two students share is left out (never matched)."""
    from .loading import DataError, decode, read_bytes

    try:
        data, name = read_bytes(Path(path), limit=MAX_HAND_IN_BYTES, name=str(path))
        text = decode(data, name)
    except DataError as exc:
        raise ReportError(exc.problems[0]) from None
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows:
        raise ReportError(f"{path}:1: the roster has no students")
    fields = {(k or "").strip().lower(): k for k in rows[0]}
    first, last = fields.get("first name"), fields.get("last name") or fields.get("surname")
    whole = fields.get("student") or fields.get("full name") or fields.get("name")
    if not whole and not (first and last):
        raise ReportError(f"{path}:1: the roster needs a Student column (Canvas) or First name and Last name "
                          "columns (Moodle); export the gradebook from your LMS and pass that file")
    out: dict[tuple, dict] = {}
    shared: set = set()
    for row in rows:
        full = (row.get(whole) or "") if whole else f"{row.get(first) or ''} {row.get(last) or ''}"
        key = _name_key(full)
        if not key or {"points", "possible"} <= set(key):
            continue  # Canvas's second row: the points each assignment is out of
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        clean["Student"] = full.strip()
        if key in out:
            shared.add(key)
        out[key] = clean
    return {k: v for k, v in out.items() if k not in shared}


def gradebook_rows(data: ClassData, lms: str, score: str = "first",
                   roster: dict | None = None) -> tuple[list[str], list[list], list[str]]:
    """(header, rows, warnings): one row per student, the identifiers Canvas or Moodle match on,
    then a column per lesson anyone answered (percent right, see `lesson_score`)."""
    banks: dict = {}
    lessons = sorted({lesson for per in data.scores.values() for lesson in per if _bank(lesson, banks) is not None})
    header = list(GRADEBOOKS[lms]) + [lesson_column(banks[lesson], score) for lesson in lessons]
    rows, warnings = [], []
    for student in sorted(data.scores, key=lambda s: (_name_key(s), s)):
        found = (roster or {}).get(_name_key(student))
        if roster is not None and found is None:
            warnings.append(f"{student!r} is not in the roster (or shares a name there): the row has the name only")
        ids = [(found or {}).get(c, "") if c != "Student" else (found or {}).get("Student") or student
               for c in GRADEBOOKS[lms]]
        per = data.scores[student]
        rows.append(ids + [lesson_score(banks[lesson], per.get(lesson, {}), score) for lesson in lessons])
    return header, rows, warnings


def _is_gradebook(head: str) -> bool:
    return head.lstrip("\ufeff").startswith(tuple(",".join(c) for c in GRADEBOOKS.values()))


def gradebook_path(report: Path, lms: str) -> Path:
    return report.with_name(f"{report.stem}-{lms}.csv")


def write_gradebook(dest: Path, header: list[str], rows: list[list]) -> None:
    from .progress import spreadsheet_safe

    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    _write_whole(dest, buf.getvalue())


def class_report(paths: list[str | Path], dest: str | Path = "class-report.html", gradebooks: tuple = (),
                 score: str = "first", roster: str | Path | None = None) -> tuple[Path, ClassData]:
    out = check_output(dest, paths)
    books = [(lms, check_output(gradebook_path(out, lms), [*paths, *([roster] if roster else [])],
                                _is_gradebook, "gradebook")) for lms in dict.fromkeys(gradebooks)]
    known = read_roster(roster) if roster else None
    data = summarise(read_hand_ins(paths))
    for lms, path in books:
        header, rows, warnings = gradebook_rows(data, lms, score, known)
        write_gradebook(path, header, rows)
        data.warnings.extend(w for w in warnings if w not in data.warnings)
        data.gradebooks.append(path)
    _write_whole(out, render(data, course=load_course(LESSONS_DIR)))
    return out, data


def add_arguments(parser) -> None:
    parser.add_argument("csv", nargs="+", help="students' hand-in files (progress --export)")
    parser.add_argument("-o", "--output", default="class-report.html", help="the HTML page to write")
    parser.add_argument("--gradebook", action="append", choices=sorted(GRADEBOOKS), default=[],
                        help="also write a gradebook CSV for this LMS beside the report (REPORT-canvas.csv, "
                             "REPORT-moodle.csv): one row per student, a column per lesson; may be given twice")
    parser.add_argument("--score", choices=SCORES, default="first",
                        help="what a lesson's gradebook score counts: the first try (default) or the latest answer")
    parser.add_argument("--roster", metavar="LMS_EXPORT.csv",
                        help="your LMS's own gradebook export: fills each student's IDs (matched by name)")


def run(args) -> int:
    import sys

    from .loading import one_line

    try:
        out, data = class_report(args.csv, args.output, tuple(getattr(args, "gradebook", ()) or ()),
                                 getattr(args, "score", "first"), getattr(args, "roster", None))
    except ReportError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except OSError as exc:  # a name too long, a folder that vanished: the user's to fix
        print(one_line(f"{exc.filename or args.output}: {exc.strerror or exc}"), file=sys.stderr)
        return 2
    for warning in data.warnings:
        print(one_line(f"warning: {warning}", 400), file=sys.stderr)
    print(one_line(f"wrote {out}: {len(data.students)} student(s), {data.rows} answer(s), "
                   f"{len(data.first_try)} exercise(s)"))
    for path in data.gradebooks:
        print(one_line(f"wrote {path}: the gradebook, one row per student"))
    return 0
