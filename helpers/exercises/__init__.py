"""Self-grading exercises: the banks, their check, pure grading, and the widgets.

A bank is `lessons/<lesson>/exercises.yaml` (copy `lessons/TEMPLATE.yaml`). Types:
- `multiple_choice`: the author writes the choices, marks the right one(s), and gives
  feedback for every choice;
- `element_check`, `which_circuits`, `clearly_established_on`: the author writes only the
  facts (or names a case or hypothetical); the engine computes the key, and an optional
  `expect` lets `check-lessons` confirm the author and the engine agree;
- `short_answer`: free text, compared as a salted hash of the normalised answer;
- `argue`: the three-ply argument (cite, the defence's distinction and counterexample, the
  reply), each move graded by the comparison the engine makes for "clearly established"
  (`argue.py`);
- `characterise`: the student sets the facts of a narrative; compared fact by fact with the
  majority's and every separate opinion's encoding, with each difference's effect on the outcome
  in every circuit (`characterise.py`);
- `predict`: commit to which circuits find a violation (or whose answer a one-fact flip
  changes), then see every circuit (`predict.py`).

    >>> bank = load_lesson("01_deshaney")
    >>> grade(bank["why_joshua_lost"], "b").correct
    >>> exercise_set("01_deshaney")          # the widget, in a notebook

Nothing a student types is evaluated: answers are compared with choice ids or hashes.

Engine-keyed feedback names, for each wrong or missed choice, the element that decided it,
the fact behind it and its authority, and says where the rule is the workbook's own reading
or rests on an unverified precedent. Choices are shown in an order seeded by the student and
the exercise (`choice_order`). A lesson's set puts saved answers back on their questions in a
new kernel and scores the first try apart from the latest; `hand_in()` writes the hand-in file
(handin-<name>.csv) beside the notebook. The first exercise or hand-in a notebook shows asks the
student's name once (`naming.py`).

One module per job (this file only hands their names on):
- `model.py`: Choice, Exercise, Bank, Feedback, Hypothetical; the types; normalising and hashing answers;
- `schema.py`: the keys a bank file may use, and what each value must be;
- `bank.py`: reading and checking a bank and its hypotheticals (`load_lesson`, `check_lessons`);
- `reasons.py`: the reasons the engine gives, and the key it computes for engine-keyed exercises;
- `grading.py`: `grade`, the rules that decide every answer (per type: `argue.py`,
  `characterise.py`, `predict.py`);
- `order.py`: the order a student sees the choices in;
- `presentation.py`: the facts in words, case notes, hypothetical cards;
- `widgets.py`: the exercise widgets, a lesson's set, and a lab held back until its prediction;
- `naming.py`: the student's name, asked once and kept with the progress;
- `handin.py`: the hand-in file, handin-<name>.csv (progress.csv without a name);
- `commands.py`: `check-lessons`, `hash-answer` and `class-report` for the command line.
"""
from __future__ import annotations

from .bank import (BANK_FILE, GUIDE_FILE, HYPOTHETICALS_FILE, LESSONS_DIR, TEMPLATE, CheckReport, check_lessons,
                   hypothetical_facts, load_bank, load_hypotheticals, load_lesson)
from .grading import grade, parse_saved
from .handin import HAND_IN_FILE, download_link, hand_in, write_hand_in
from .model import (ASKS, ENGINE_TYPES, THEORIES, TYPES, Bank, Choice, Exercise, Feedback, Hypothetical, answer_hash,
                    normalise_text)
from .order import SHUFFLED_TYPES, choice_order
from .presentation import case_note, describe_facts, hypothetical_card
from .reasons import element_reason, established_reason, violation_reasons
from .widgets import PLACED_ON_THEIR_OWN, ExerciseWidget, after_prediction, build_exercise, exercise, exercise_set

__all__ = [
    "ASKS", "BANK_FILE", "PLACED_ON_THEIR_OWN", "after_prediction", "ENGINE_TYPES", "GUIDE_FILE", "HAND_IN_FILE", "HYPOTHETICALS_FILE", "LESSONS_DIR",
    "SHUFFLED_TYPES", "TEMPLATE", "THEORIES", "TYPES", "Bank", "CheckReport", "Choice", "Exercise", "ExerciseWidget",
    "Feedback", "Hypothetical", "answer_hash", "build_exercise", "case_note", "check_lessons", "choice_order",
    "describe_facts", "download_link", "element_reason", "established_reason", "exercise", "exercise_set", "grade",
    "hand_in", "hypothetical_card", "hypothetical_facts", "load_bank", "load_hypotheticals", "load_lesson",
    "normalise_text", "parse_saved", "violation_reasons", "write_hand_in",
]
