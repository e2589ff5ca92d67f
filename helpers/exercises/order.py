"""Choice order: varied, and stable for each student (a seed made from the student and the
exercise). Only the display moves; answers are choice ids, graded and saved as before."""
from __future__ import annotations

import hashlib
import random
from functools import lru_cache

from ..progress import current_student
from .model import Bank, Choice, Exercise


#: Types whose choices are shuffled: an author's list (and yes/no). Circuits (ca1 ... cadc) and a
#: test's elements keep their natural order, which is part of what they teach.
SHUFFLED_TYPES = ("multiple_choice", "clearly_established_on")


def _rng(*parts: str) -> random.Random:
    seed = hashlib.sha256("\x00".join(parts).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _shuffled(exercise: Exercise, student: str, first: bool | None) -> tuple[Choice, ...]:
    """The choices in a seeded order; `first` True/False puts the (one) right choice first or not."""
    rng = _rng(student, exercise.lesson, exercise.id)
    order = list(exercise.choices)
    rng.shuffle(order)
    if first is None or exercise.select != "one":
        return tuple(order)
    right = next(c for c in order if c.correct)
    others = [c for c in order if c is not right]
    at = 0 if first else rng.randrange(1, len(order))
    return tuple(others[:at] + [right] + others[at:])


@lru_cache(maxsize=64)
def _bank_plan(bank: Bank, student: str) -> frozenset:
    """Which one-answer questions of a bank show the right choice first for this student: a seeded
    pick of no more than chance would give (the sum of 1/choices, rounded down), so across a
    lesson the right answer is first less often than a fair shuffle allows, for every student."""
    singles = [ex for ex in bank.exercises if ex.type in SHUFFLED_TYPES and ex.select == "one"]
    quota = int(sum(1 / len(ex.choices) for ex in singles) + 1e-9)
    rng = _rng(student, bank.lesson)
    ids = [ex.id for ex in singles]
    rng.shuffle(ids)
    return frozenset(ids[:quota])


def choice_order(exercise: Exercise, student: str | None = None, bank: Bank | None = None) -> tuple[Choice, ...]:
    """The order a student sees the choices in: shuffled by a seed made from the student and the
    exercise, so a retry or a restarted kernel shows the same order, and another student another.
    Within a lesson's set (`bank`), the right choice comes first in at most the share of one-answer
    questions a fair shuffle would give on average. Only the display moves: answers are choice
    ids, graded and saved as before."""
    if exercise.type not in SHUFFLED_TYPES or len(exercise.choices) < 2:
        return exercise.choices
    if student is None:
        student = current_student()
    if bank is None or exercise.select != "one":
        return _shuffled(exercise, student, None)
    return _shuffled(exercise, student, exercise.id in _bank_plan(bank, student))


def move_order(exercise: Exercise, ply, student: str | None = None) -> tuple:
    """The moves of one ply of an argument in the order a student sees them: shuffled by a seed made
    from the student, the exercise and the ply (stable across retries), with "Nothing: no difference
    helps the defence" kept last, where a reader looks for it. The right move is first no more often
    than chance (the order the moves are built in puts the strongest first)."""
    if student is None:
        student = current_student()
    moves = [m for m in ply.moves if m.id != "none"]
    _rng(student, exercise.lesson, exercise.id, ply.id).shuffle(moves)
    return tuple(moves) + tuple(m for m in ply.moves if m.id == "none")
