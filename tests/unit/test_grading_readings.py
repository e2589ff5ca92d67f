"""Contested law is graded as contested: where one of the workbook's own readings decides an
engine-keyed answer, either answer is right and the feedback says which reading each follows; a
course may fix a reading, and then only that reading's answer is right."""
import textwrap

import pytest

from helpers.exercises import grade, load_bank, load_lesson
from helpers.loading import DataError

BANK = """\
lesson: s
title: S
exercises:
  - id: kennedy_2024
    type: which_circuits
    prompt: Which circuits find a violation?
    explanation: E
    case: kennedy_v_ridgefield_2006
    changes: {conduct_date: 2022-01-01, decision_date: 2024-01-01}
  - id: kneipp_before_al_kidd
    type: clearly_established_on
    prompt: Clearly established in the Third Circuit when Kneipp's officers acted?
    explanation: E
    case: kneipp_v_tedder_1996
"""


def _bank(tmp_path, course: str | None = None):
    folder = tmp_path / "lessons" / "s"
    folder.mkdir(parents=True)
    (folder / "exercises.yaml").write_text(BANK)
    if course is not None:
        (tmp_path / "lessons" / "course.yaml").write_text(textwrap.dedent(course))
    return load_bank(folder / "exercises.yaml")


def test_either_answer_is_right_where_the_fourth_circuit_bar_decides(tmp_path):
    ex = _bank(tmp_path)["kennedy_2024"]
    assert "ca4" not in ex.key and ex.choice("ca4").either
    without, with_fourth = grade(ex, list(ex.key)), grade(ex, list(ex.key) + ["ca4"])
    assert without.correct and with_fourth.correct
    assert "other side of a reading" in with_fourth.message and "acts directed at the assailant" in with_fourth.message
    # a choice no reading decides is still graded: leaving out a circuit the key needs is wrong
    keyed = next(c for c in ex.key if not ex.choice(c).either)
    assert not grade(ex, [c for c in ex.key if c != keyed]).correct


def test_a_one_answer_question_accepts_the_other_reading_and_says_so(tmp_path):
    ex = _bank(tmp_path)["kneipp_before_al_kidd"]  # the level of generality before al-Kidd decides it
    ours = next(c for c in ex.choices if c.correct)
    other = next(c for c in ex.choices if not c.correct)
    assert ours.id == "yes" and ours.either and other.either
    r = grade(ex, other.id)
    assert r.correct and r.message.startswith("Right, on the other reading.")
    assert "the level of generality before Ashcroft v. al-Kidd" in r.message


def test_a_course_that_fixes_the_reading_keys_it_and_says_so(tmp_path):
    bank = _bank(tmp_path, """\
        readings:
          ca4_acts_toward_assailant: other
          ca4_recognition: ours
        """)
    ex = bank["kennedy_2024"]
    assert "ca4" in ex.key and not ex.choice("ca4").either
    assert grade(ex, list(ex.key)).correct
    assert not grade(ex, [c for c in ex.key if c != "ca4"]).correct
    assert "Your course reads acts directed at the assailant" in ex.choice("ca4").feedback


def test_a_bad_course_file_is_named_with_its_line(tmp_path):
    with pytest.raises(DataError) as exc:
        _bank(tmp_path, """\
            readings:
              no_such_reading: other
              ca4_recognition: maybe
            """)
    text = "\n".join(exc.value.problems)
    assert "course.yaml:2" in text and "no_such_reading" in text


def test_the_reviewed_keys_now_accept_the_other_reading():
    """The review's list: ticking the Fourth Circuit after Rosa, and leaving out the Third where
    Sanford's middle tier may ask more than deliberate indifference, are accepted."""
    lab = load_lesson("05_circuit_lab")["kennedy_in_2024"]
    assert grade(lab, list(lab.key) + ["ca4"]).correct
    hurried = load_lesson("04_culpability")["hurried_second_circuit"]
    assert grade(hurried, [c for c in hurried.key if c != "ca3"]).correct
