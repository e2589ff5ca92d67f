"""Student files reaching the professor, and inputs that hang or crash a command (issue 18,
causes 7-14, 16 and 17): a file from a student is data, never a path, markup or a terminal
command; every command answers quickly with exit 0 or 2 and one plain line per problem."""
from __future__ import annotations

import csv
import dataclasses
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import classreport, loading
from helpers.progress import COLUMNS, ProgressStore

ROOT = Path(__file__).resolve().parents[2]
HEADER = ",".join(COLUMNS) + "\n"


def _cli(*args, timeout=60, **kwargs):
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "helpers", *map(str, args)], cwd=ROOT, timeout=timeout, **kwargs)


def _hand_in(path: Path, rows: list[list[str]], encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows)
    return path


def _plain(out: subprocess.CompletedProcess) -> str:
    err = out.stderr.decode("utf-8", "replace") if isinstance(out.stderr, bytes) else out.stderr
    assert "Traceback" not in err and "internal error" not in err, err
    return err


# --- 7: lesson and exercise ids from a CSV are ids, never paths ---------------------------------

def test_a_lesson_id_that_is_a_path_is_never_opened(tmp_path, monkeypatch):
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "exercises.yaml").write_text("lesson: planted\ntitle: x\nexercises: []\n")
    import helpers.exercises as exercises

    asked = []
    real = classreport.load_lesson
    monkeypatch.setattr(classreport, "load_lesson", lambda lesson, *a, **k: asked.append(lesson) or real(lesson, *a, **k))
    up = os.path.relpath(planted, exercises.LESSONS_DIR)
    rows = [["ann", up, "x", "no", "a", "2026-01-01"], ["ann", "/" + str(planted), "x", "no", "a", "2026-01-02"],
            ["ann", "01_deshaney", "why_joshua_lost", "no", "a", "2026-01-03"]]
    data = classreport.summarise(classreport.read_hand_ins([_hand_in(tmp_path / "a.csv", rows)]))
    assert data.rows == 3
    assert asked == ["01_deshaney"]


# --- 8: never write over an input, nor over a file that is not an earlier report ---------------

def test_the_report_never_writes_over_a_hand_in_or_another_file(tmp_path):
    a = _hand_in(tmp_path / "a.csv", [["ann", "01_deshaney", "x", "yes", "a", "t"]])
    b = _hand_in(tmp_path / "b.csv", [["ben", "01_deshaney", "x", "no", "a", "t"]])
    before = a.read_bytes()
    out = _cli("class-report", b, a, "-o", a)
    assert out.returncode == 2 and b"hand-in" in out.stderr and a.read_bytes() == before
    _plain(out)
    notes = tmp_path / "notes.html"
    notes.write_text("<html>my notes</html>")
    out = _cli("class-report", a, b, "-o", notes)
    assert out.returncode == 2 and notes.read_text() == "<html>my notes</html>"
    report = tmp_path / "report.html"
    assert _cli("class-report", a, b, "-o", report).returncode == 0
    assert _cli("class-report", a, "-o", report).returncode == 0  # an earlier report is replaced


# --- 9: every string from a student file is text in the report -------------------------------------

def test_strings_from_a_hand_in_are_text_in_the_report(tmp_path, monkeypatch):
    evil = ['<a href="https://evil.example/x">click</a>', '<img src="https://evil.example/i.png">',
            '<span style="font-size:90px">big</span>']
    rows = [["ann", "01_deshaney", e, "no", "a", "t"] for e in evil]
    figures = []
    real = classreport._figure_html
    monkeypatch.setattr(classreport, "_figure_html", lambda fig, first: figures.append(fig) or real(fig, first))
    page = classreport.render(classreport.summarise(classreport.read_hand_ins([_hand_in(tmp_path / "a.csv", rows)])))
    strings = [str(v) for fig in figures for trace in fig.data for v in (trace.y or ())]
    strings += [fig.layout.title.text or "" for fig in figures]
    assert strings and not any("<" in s or ">" in s for s in strings), strings
    assert '<img src="https://evil.example' not in page and '<a href="https://evil.example' not in page


# --- 10: terminal escapes and huge lines never reach the terminal raw ----------------------------

def test_escape_sequences_and_huge_values_are_cut_and_escaped(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    for i in range(100):
        store.record(f"\x1b]0;owned\x07\x1b[2J{i}" + "x" * 200_000, "e", True, "a", student="ann")
    out = _cli("progress", "--db", db)
    assert out.returncode == 0 and b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    assert len(out.stdout) < 20_000 and max(map(len, out.stdout.splitlines())) < 1000
    bad = _hand_in(tmp_path / "bad.csv", [["ann", "l", "e", "\x1b[2J" + "y" * 200_000, "a", "t"]])
    out = _cli("class-report", bad, "-o", tmp_path / "r.html")
    assert out.returncode == 2 and b"\x1b" not in out.stderr and len(out.stderr) < 1000
    bank = tmp_path / "exercises.yaml"
    bank.write_text("lesson: x\ntitle: x\nexercises:\n" + "".join(
        f"  - {{id: \"e{i}\\e[31m\", type: nonsense, title: t}}\n" for i in range(2000)))
    out = _cli("check-lessons", bank)
    assert out.returncode == 2 and b"\x1b" not in out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) <= 70 and max(map(len, lines)) <= 700 and lines[-1].startswith(b"check-lessons:")


# --- 11: hand-ins as Excel saves them ----------------------------------------------------------

def test_hand_ins_as_excel_saves_them(tmp_path):
    row = [["Zoë", "01_deshaney", "why_joshua_lost", "yes", "b", "t"]]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + _hand_in(tmp_path / "x.csv", row).read_bytes())
    assert _cli("class-report", bom, "-o", tmp_path / "r.html").returncode == 0
    latin = _hand_in(tmp_path / "latin.csv", row, encoding="latin-1")
    out = _cli("class-report", latin, "-o", tmp_path / "r.html")
    assert out.returncode == 2 and f"{latin}:2:".encode() in out.stderr and b"not UTF-8" in out.stderr
    wide = _hand_in(tmp_path / "wide.csv", row, encoding="utf-16")
    out = _cli("class-report", wide, "-o", tmp_path / "r.html")
    assert out.returncode == 2 and b"UTF-16" in out.stderr and b"save it as UTF-8" in out.stderr
    _plain(out)


# --- 12: no reader worse than linear -----------------------------------------------------------

def test_an_unterminated_string_of_escaped_quotes_is_read_in_linear_time(tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text('{"conduct_date": "' + '\\"' * 100_000)
    started = time.monotonic()
    out = _cli("evaluate", facts, timeout=30)
    assert out.returncode == 2 and time.monotonic() - started < 10
    _plain(out)
    started = time.monotonic()
    with pytest.raises(loading.DataError):
        loading.load_json_text('["' + '\\"' * 400_000, "x.json")
    assert time.monotonic() - started < 1


# --- 13: the work a bank may ask for is bounded ------------------------------------------------

def _big_bank(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    bank = folder / "exercises.yaml"
    bank.write_text(f"lesson: {folder.name}\ntitle: t\nexercises:\n" + "".join(
        f"  - {{id: a{i}, type: argue, title: t, prompt: p, case: kennedy_v_ridgefield_2006,\n"
        f"     changes: {{conduct_date: {1990 + i // 300}-01-{1 + i % 28:02d}}}, cite: [wood_v_ostrander_1989],"
        f" counter: [nicholas_v_wallenstein_2001]}}\n" for i in range(n)))
    return bank


def test_a_list_of_more_entries_than_a_file_may_hold_is_refused_at_once():
    with pytest.raises(loading.DataError) as err:
        loading.at_most(list(range(loading.MAX_ENTRIES + 1)), "bank.yaml:3")
    assert err.value.problems[0].startswith("bank.yaml:3: ") and "at most" in err.value.problems[0]
    loading.at_most(list(range(loading.MAX_ENTRIES)), "bank.yaml:3")


def test_a_bank_of_thousands_of_argue_exercises_is_refused_quickly(tmp_path):
    bank = _big_bank(tmp_path / "99_big", 3000)
    started = time.monotonic()
    out = _cli("check-lessons", bank, timeout=120)
    assert out.returncode == 2 and time.monotonic() - started < 10 and b"at most" in out.stderr


# --- 14: a named pipe is not a file ------------------------------------------------------------

def test_named_pipes_are_refused_at_once(tmp_path):
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    for args in (("evaluate", fifo), ("class-report", fifo, "-o", tmp_path / "r.html"), ("check-lessons", fifo),
                 ("progress", "--db", fifo)):
        out = _cli(*args, timeout=20)
        assert out.returncode == 2 and (b"not a regular file" in out.stderr or b"no such file" in out.stderr), \
            (args, out.stderr)
        _plain(out)


# --- 16: the user's mistakes are exit 2 and one plain line, never "internal error" --------------

def test_user_mistakes_are_exit_2_with_one_plain_line(tmp_path):
    a = _hand_in(tmp_path / "a.csv", [["ann", "01_deshaney", "x", "yes", "a", "t"]])
    huge = _hand_in(tmp_path / "huge.csv", [["ann", "l", "e", "yes", "z" * 200_000, "t"]])
    cases = [
        ("class-report", huge, "-o", tmp_path / "r.html"),
        ("class-report", a, "-o", tmp_path),
        ("class-report", a, "-o", tmp_path / "missing" / "r.html"),
        ("class-report", a, "-o", tmp_path / ("n" * 300 + ".html")),
        ("hash-answer", os.fsdecode(b"Zo\xeb"), "x", "answer"),
    ]
    for args in cases:
        out = _cli(*args)
        err = _plain(out)
        assert out.returncode == 2 and len(err.strip().splitlines()) == 1, (args, err)
    with open("/dev/full", "w") as dev_full:
        full = _cli("check-data", capture_output=False, stdout=dev_full, stderr=subprocess.PIPE)
    assert full.returncode == 2 and len(_plain(full).strip().splitlines()) == 1
    closed = subprocess.run(f"{sys.executable} -m helpers check-data >&-", shell=True, cwd=ROOT,
                            capture_output=False, stderr=subprocess.PIPE, timeout=60)
    assert closed.returncode == 2 and b"standard output" in closed.stderr
    _plain(closed)


@pytest.mark.parametrize("megabytes", [16, 22, 30, 45, 60])
def test_low_memory_is_a_plain_line(tmp_path, megabytes):
    a = _hand_in(tmp_path / "a.csv", [["ann", "01_deshaney", "x", "yes", "a", "t"]])
    limit = megabytes * 1024 * 1024
    out = _cli("class-report", a, "-o", tmp_path / "r.html",
               preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    err = _plain(out)
    assert out.returncode in (0, 2) and "invalid choice" not in err
    if out.returncode == 2:
        assert "memory" in err and len(err.strip().splitlines()) == 1


# --- 17: text from data/facts.yaml is text in the fact panel -------------------------------------

def test_labels_and_help_from_the_facts_file_are_escaped(monkeypatch):
    from helpers import facts, widgets

    spec = next(iter(facts.vocabulary().values()))
    hostile = dataclasses.replace(spec, label="<img src=x onerror=alert(1)>", help="<script>alert(2)</script>")
    html_text = widgets._label_html(hostile).value
    assert "<img" not in html_text and "<script" not in html_text and "&lt;img" in html_text
    monkeypatch.setattr(widgets, "groups", lambda: [(spec.group, "<b onclick=alert(3)>G</b>")])
    panel = widgets.FactPanel(facts.parse_facts({"conduct_date": "1998-09-24", "decision_date": "2006-03-07"}))
    shown = [c.value for col in panel.children for box in getattr(col, "children", ()) for c in [box]
             if hasattr(c, "value") and isinstance(c.value, str)]
    assert not any("<b onclick" in v for v in shown)
