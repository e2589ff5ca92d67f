"""class-report: reads hand-in files strictly and counts what students missed."""
from __future__ import annotations

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
