"""class-report: reads hand-in files strictly and counts what students missed."""
from __future__ import annotations

import csv
import subprocess
import sys

from helpers.classreport import read_hand_ins, summarise
from helpers.progress import ProgressStore

STRONG = "cite=l_w_v_grubbs_1992;distinguish=act_kind;counter=l_w_v_grubbs_1996;rebut=distinction_immaterial"


def _csv(tmp_path, student, answers):
    store = ProgressStore(tmp_path / f"{student}.sqlite3")
    for lesson, ex, ok, ans in answers:
        store.record(lesson, ex, ok, ans, student)
    out = tmp_path / f"{student}.csv"
    store.export_csv(out)
    return out


def test_first_try_missed_circuits_and_moves(tmp_path):
    a = _csv(tmp_path, "ada", [("06_qualified_immunity", "kennedy_three_ply", False, "cite=wood_v_ostrander_1989"),
                               ("06_qualified_immunity", "kennedy_three_ply", True, STRONG),
                               ("03_state_created_danger", "kennedy_predict_awareness", False, "ca1,ca9")])
    b = _csv(tmp_path, "ben", [("06_qualified_immunity", "kennedy_three_ply", True, STRONG)])
    data = summarise(read_hand_ins([a, b]))
    assert data.first_try[("06_qualified_immunity", "kennedy_three_ply")] == [1, 2]  # ada wrong first, ben right
    assert data.missed[("circuit", "First Circuit")] == 1  # ticked, should not be
    assert data.missed[("circuit", "Second Circuit")] == 1  # left unticked, should be
    assert data.missed[("circuit", "Ninth Circuit")] == 0
    cite = data.moves["1. Cite"]
    assert cite[("Grubbs I (9th Cir. 1992)", True)] == 2 and cite[("Wood (9th Cir. 1989)", False)] == 1


def test_a_bad_file_is_one_line_naming_file_and_line(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("student,lesson,exercise,correct,answer,answered_at\nann,l,e,maybe,a,t\n")
    out = subprocess.run([sys.executable, "-m", "helpers", "class-report", str(bad), "-o", str(tmp_path / "r.html")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == f"{bad}:2: correct must be yes or no, not 'maybe'"


def test_facts_read_otherwise_than_the_majority_are_counted(tmp_path):
    bybee = "danger_effect=none;awareness=none;culpability=negligence;harm_foreseeable=no;but_for_cause=no"
    a = _csv(tmp_path, "ada", [("03_state_created_danger", "kennedy_characterise", False, bybee)])
    data = summarise(read_hand_ins([a]))
    assert data.missed[("fact", "Awareness of the risk")] == 1 and data.missed[("fact", "State of mind")] == 1


def test_the_report_says_how_contested_answers_were_scored_and_which_readings_the_course_fixed():
    from helpers.classreport import readings_note

    assert "either answer was scored right" in readings_note({})
    fixed = readings_note({"ca4_acts_toward_assailant": "other"})
    assert "acts directed at the assailant in the Fourth Circuit" in fixed and "<b>the other</b>" in fixed


# --- students counted by the name they gave; the gradebook ----------------------------------------

def _handed_in(tmp_path, name, answers, folder="class"):
    """A student's hand-in as the workbook writes it: she answers, gives her name when asked, hands in."""
    from helpers.exercises import write_hand_in

    store = ProgressStore(tmp_path / "stores" / f"{name or 'anon'}.sqlite3")
    for i, (lesson, ex, ok, ans) in enumerate(answers):
        if i == 1 and name:
            assert store.set_name(name).ok  # asked at her first exercise; the answer before it is hers too
        store.record(lesson, ex, ok, ans)
    out = tmp_path / folder / (name or "anon") / store.hand_in_name()
    out.parent.mkdir(parents=True, exist_ok=True)
    assert "Wrote" in write_hand_in(out, store=store)
    return out


def _report(tmp_path, files, *extra):
    out = subprocess.run([sys.executable, "-m", "helpers", "class-report", *map(str, files),
                          "-o", str(tmp_path / "report.html"), *extra],
                         capture_output=True, text=True, timeout=120)
    return out, (tmp_path / "report.html").read_text(encoding="utf-8") if out.returncode == 0 else ""


SNAKE = ("01_deshaney", "snake_pit")
WHY = ("01_deshaney", "why_joshua_lost")


def test_the_issue_scenario_three_students_are_three_and_two_thirds_were_right_first(tmp_path):
    files = [_handed_in(tmp_path, name, [(*WHY, True, "b"), (*SNAKE, ok, "b")])
             for name, ok in (("Jane Doe", True), ("Omar Haddad", True), ("Li Wei", False))]
    assert [f.name for f in files] == ["handin-jane-doe.csv", "handin-omar-haddad.csv", "handin-li-wei.csv"]
    data = summarise(read_hand_ins(files))
    assert data.students == {"Jane Doe", "Omar Haddad", "Li Wei"} and not data.warnings
    assert data.first_try[SNAKE] == [2, 3] and data.first_try[WHY] == [3, 3]
    out, page = _report(tmp_path, files)
    assert out.returncode == 0 and "3 student(s)" in out.stdout and out.stderr == ""
    assert "<p>3 student(s), 6 saved answer(s).</p>" in page and "report-warnings" not in page
    assert r'"text":["2\u002f3","3\u002f3"]' in page  # the bars: 2 of 3 (67%) first try on snake_pit, 3 of 3


def test_old_hand_ins_without_a_name_load_each_as_its_file_and_say_so(tmp_path):
    files = []
    for who in ("a", "b", "c"):  # three students, all 'web_user', all progress.csv (before names were asked)
        f = tmp_path / who / "progress.csv"
        f.parent.mkdir()
        f.write_text("student,lesson,exercise,correct,answer,answered_at\n"
                     f"web_user,01_deshaney,snake_pit,{'no' if who == 'c' else 'yes'},b,2026-01-0{ord(who) - 96}\n")
        files.append(f)
    data = summarise(read_hand_ins(files))
    assert len(data.students) == 3 and data.first_try[SNAKE] == [2, 3]
    out, page = _report(tmp_path, files)
    assert out.returncode == 0 and "3 student(s)" in out.stdout
    warned = [line for line in out.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 3 and all("has no student name" in w for w in warned)
    assert page.count("has no student name") == 3 and "report-warnings" in page


def test_two_files_claiming_one_name_are_one_student_and_a_warning(tmp_path):
    early = _handed_in(tmp_path, "Jane Doe", [(*WHY, True, "b"), (*SNAKE, False, "a")], folder="00")
    late = _handed_in(tmp_path, "Jane Doe", [(*WHY, True, "b"), (*SNAKE, False, "a")], folder="07")
    other = _handed_in(tmp_path, "Omar Haddad", [(*WHY, True, "b"), (*SNAKE, True, "b")])
    data = summarise(read_hand_ins([early, late, other]))
    assert data.students == {"Jane Doe", "Omar Haddad"} and data.first_try[SNAKE] == [1, 2]
    out, page = _report(tmp_path, [early, late, other])
    assert out.returncode == 0 and "2 student(s)" in out.stdout
    assert "warning: 2 files claim the name 'Jane Doe'" in out.stderr and "claim the name" in page


def test_the_gradebook_has_one_row_per_student_and_a_column_per_lesson(tmp_path):
    from helpers.classreport import CANVAS_COLUMNS, MOODLE_COLUMNS
    from helpers.exercises import load_lesson

    n01 = len(load_lesson("01_deshaney").exercises)
    files = [_handed_in(tmp_path, "Jane Doe", [(*WHY, True, "b"), (*SNAKE, False, "a"), (*SNAKE, True, "b")]),
             _handed_in(tmp_path, "Omar Haddad", [(*WHY, False, "a"), ("00_start_here", "two_dates", True, "x")])]
    out, page = _report(tmp_path, files, "--gradebook", "canvas", "--gradebook", "moodle")
    assert out.returncode == 0, out.stderr
    assert "<code>report-canvas.csv</code>, <code>report-moodle.csv</code>" in page
    canvas = list(csv.reader((tmp_path / "report-canvas.csv").open(encoding="utf-8")))
    moodle = list(csv.reader((tmp_path / "report-moodle.csv").open(encoding="utf-8")))
    lessons = ["DeShaney 00_start_here (first try, %)", "DeShaney 01_deshaney (first try, %)"]
    assert canvas[0] == [*CANVAS_COLUMNS, *lessons] and moodle[0] == [*MOODLE_COLUMNS, *lessons]
    assert canvas[1][:1] + canvas[1][5:] == ["Jane Doe", "0.0", str(round(100 / n01, 1))]  # first tries only
    assert moodle[2][:1] == ["Omar Haddad"] and moodle[2][4:] == [str(round(100 / len(load_lesson("00_start_here").exercises), 1)), "0.0"]
    assert len(canvas) == len(moodle) == 3
    out, _ = _report(tmp_path, files, "--gradebook", "canvas", "--score", "latest")
    latest = list(csv.reader((tmp_path / "report-canvas.csv").open(encoding="utf-8")))
    assert latest[0][-1] == "DeShaney 01_deshaney (latest answer, %)" and latest[1][-1] == str(round(200 / n01, 1))


def test_a_roster_fills_the_ids_the_lms_matches_on(tmp_path):
    files = [_handed_in(tmp_path, "jane doe", [(*WHY, True, "b"), (*SNAKE, True, "b")]),
             _handed_in(tmp_path, "Pat Nobody", [(*WHY, True, "b"), (*SNAKE, True, "b")])]
    roster = tmp_path / "canvas-export.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (101)\n"
                      "    Points Possible,,,,,10\n"
                      '"Doe, Jane",4411,S-17,jdoe,Law 560 A,\n', encoding="utf-8")
    out, page = _report(tmp_path, files, "--gradebook", "canvas", "--roster", str(roster))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader((tmp_path / "report-canvas.csv").open(encoding="utf-8")))
    assert rows[1][:5] == ["Doe, Jane", "4411", "S-17", "jdoe", "Law 560 A"]
    assert rows[2][:5] == ["Pat Nobody", "", "", "", ""] and "'Pat Nobody' is not in the roster" in out.stderr
    moodle_roster = tmp_path / "moodle-export.csv"
    moodle_roster.write_text("First name,Last name,ID number,Institution,Department,Email address\n"
                             "Jane,Doe,77,,,jane@example.edu\n", encoding="utf-8")
    out, _ = _report(tmp_path, files, "--gradebook", "moodle", "--roster", str(moodle_roster))
    rows = list(csv.reader((tmp_path / "report-moodle.csv").open(encoding="utf-8")))
    assert rows[1][:4] == ["Jane Doe", "jane@example.edu", "77", ""]


def test_the_gradebook_never_writes_over_a_file_that_is_not_one(tmp_path):
    files = [_handed_in(tmp_path, "Jane Doe", [(*WHY, True, "b"), (*SNAKE, True, "b")])]
    precious = tmp_path / "report-canvas.csv"
    precious.write_text("my own notes\n")
    out, _ = _report(tmp_path, files, "--gradebook", "canvas")
    assert out.returncode == 2 and "is not an earlier gradebook" in out.stderr and precious.read_text() == "my own notes\n"


def test_a_chart_with_no_data_is_a_sentence_not_empty_axes(tmp_path):
    from helpers.classreport import EMPTY, render

    files = [_handed_in(tmp_path, "Jane Doe", [(*WHY, True, "b"), (*SNAKE, True, "b")])]
    page = render(summarise(read_hand_ins(files)))
    for kind in ("element", "circuit", "fact", "moves"):
        assert EMPTY[kind] in page
    assert EMPTY["first-try"] not in page and page.count("plotly-graph-div") == 1  # only the chart with bars
    assert "report-first-try" in page
    nothing = render(summarise([]))
    assert EMPTY["first-try"] in nothing and "plotly-graph-div" not in nothing
