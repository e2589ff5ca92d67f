"""The grader measured: `grading-report` counts the keys that turn on a reading and whether both
answers are accepted, late counterexamples and unfound facts; the shipped lessons meet every
target; an argument's moves are not ordered to give the answer away."""
import dataclasses
import re
import statistics
import subprocess
import sys

from helpers.exercises import check_lessons, load_lesson
from helpers.exercises.audit import measure, meets_targets, report_lines
from helpers.exercises.order import move_order
from helpers.law import law


def _banks():
    return check_lessons().banks


def test_the_shipped_lessons_meet_every_target_of_the_grader():
    counts = measure(_banks())
    assert meets_targets(counts), "\n".join(report_lines(counts))
    assert counts["which_circuits"].on_reading > 0 and counts["predict"].on_reading > 0  # the measure sees readings


def test_the_report_catches_a_key_that_does_not_accept_the_other_reading():
    bank = load_lesson("05_circuit_lab")
    ex = bank["kennedy_in_2024"]
    strict = dataclasses.replace(ex, choices=tuple(dataclasses.replace(c, either=False) for c in ex.choices))
    counts = measure((dataclasses.replace(bank, exercises=(strict,)),))
    assert counts["which_circuits"].on_reading > counts["which_circuits"].both_accepted
    assert not meets_targets(counts)


def test_the_report_catches_a_late_counterexample_and_an_unfound_fact():
    bank = load_lesson("06_qualified_immunity")
    ex = bank["kennedy_three_ply"]
    counter = next(p for p in ex.plies if p.id == "counter")
    late = next(pid for pid in ("nicholas_v_wallenstein_2001",) if pid)
    keyed = dataclasses.replace(counter, moves=counter.moves + (type(counter.moves[0])(late, "N", True, "f"),))
    bad = dataclasses.replace(ex, plies=tuple(keyed if p.id == "counter" else p for p in ex.plies))
    pinder = dataclasses.replace(load_lesson("02_special_relationship")["characterise_pinder"],
                                 asked=("custody", "culpability"))
    counts = measure((dataclasses.replace(bank, exercises=(bad, pinder)),))
    assert law().precedents[late].decided > ex.facts.conduct_date
    assert counts["argue"].late_counterexamples == 1 and counts["characterise"].unfound_facts_asked == 1


def test_the_command_prints_the_figures_and_exits_zero_when_the_targets_hold():
    out = subprocess.run([sys.executable, "-m", "helpers", "grading-report"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "accepting either answer" in out.stdout and "decided after the conduct: 0" in out.stdout


def test_the_right_move_is_first_no_more_often_than_chance():
    """Over the shipped arguments and many students, the share of plies whose right move is shown
    first is within noise of what a fair shuffle gives (it was 121 of 136 in build order)."""
    plies = [(ex, ply) for b in _banks() for ex in b.exercises if ex.type == "argue" for ply in ex.plies]
    shares, chance = [], []
    for n in range(40):
        student = f"student-{n}"
        firsts = [move_order(ex, ply, student)[0].correct for ex, ply in plies]
        shares.append(sum(firsts) / len(firsts))
    for ex, ply in plies:
        shown = [m for m in ply.moves if m.id != "none"]
        chance.append(sum(m.correct for m in shown) / len(shown))
    assert abs(statistics.mean(shares) - statistics.mean(chance)) < 0.05, (statistics.mean(shares), statistics.mean(chance))
    assert move_order(plies[0][0], plies[0][1], "a") == move_order(plies[0][0], plies[0][1], "a")  # stable per student


def test_no_ply_prompt_or_reply_names_what_an_earlier_ply_expects():
    for b in _banks():
        for ex in b.exercises:
            if ex.type != "argue":
                continue
            earlier: set[str] = set()
            for ply in ex.plies:
                visible = ply.prompt + " " + " ".join(m.text for m in ply.moves)
                named = [name for name in earlier if re.search(rf"\b{re.escape(name)}\b(?! ?I)", visible)]
                assert not named, (ex.id, ply.id, named)
                for m in ply.moves:
                    if m.correct and m.id in law().precedents:
                        earlier.add(law().precedents[m.id].short_name)
