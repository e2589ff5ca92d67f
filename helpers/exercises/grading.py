"""Grading: what counts as a right answer, and what the student is told.

`grade(exercise, answer)` decides every answer in the workbook. It is pure: no widgets, no files,
and nothing a student types is run; answers are compared with choice ids (or a salted hash, for
short answers). What it decides, by kind of question:

- one answer (`multiple_choice` with `select: one`, `clearly_established_on`): right if the choice
  is marked correct (by the author, or by the engine's key); that choice's feedback is shown;
- tick all that apply (`multiple_choice` with `select: many`, `element_check`, `which_circuits`,
  `predict`): right only if the boxes ticked are exactly the key (none ticked is an answer); each
  wrong tick and each missed box is named with its reason; a committed prediction shows every
  circuit's answer;
- `short_answer`: right if the salted hash of the normalised answer (case, accents, punctuation
  and a leading article do not matter) is among the bank's accepted ones;
- `argue`: ply by ply, in `argue.py`; `characterise`: fact by fact, in `characterise.py`.

Nothing chosen, or a value not among the choices, is not an answer (`answered=False`): it is
neither graded nor saved. The key of each exercise is fixed when the bank is read (`bank.py`);
the engine's reasons behind an engine-keyed key are in `reasons.py`, a prediction's key in
`predict.py`. A professor reading a bank can read this module beside it.
"""
from __future__ import annotations

import re
from typing import Any

from ..facts import circuit_id
from .argue import grade_plies, parse_moves
from .characterise import grade_characterisation, parse_choices
from .model import ENGINE_TYPES, Exercise, Feedback, answer_hash, join_lines, normalise_text


def choice_for(exercise: Exercise, value: Any) -> str | None:
    """The choice id an answer names: the id itself, the choice's text (normalised), yes/no or
    True/False for a yes-or-no question, any spelling of a circuit for a circuits question."""
    if exercise.type == "clearly_established_on":
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str) and normalise_text(value) in {"yes", "y", "true"}:
            return "yes"
        if isinstance(value, str) and normalise_text(value) in {"no", "n", "false"}:
            return "no"
    if exercise.type == "which_circuits":
        cid = circuit_id(value)
        if cid is not None:
            return cid
    if not isinstance(value, str):
        return None
    s = value.strip()
    if exercise.choice(s) or exercise.choice(s.lower()):
        return s if exercise.choice(s) else s.lower()
    by_text = {normalise_text(c.text): c.id for c in exercise.choices}
    return by_text.get(normalise_text(s))


def grade(exercise: Exercise, answer: Any) -> Feedback:
    """Grade one answer: a choice id (or its text) for one-answer questions, a collection of
    ids for tick-all-that-apply, a string for short answers, {ply: move} for an argument,
    {fact: value} for a characterisation. Never runs the answer."""
    if exercise.type == "argue":
        right, answered, lines, _ = grade_plies(exercise.plies, answer)
        return Feedback(right, join_lines("\n".join(lines), _no_verdict(exercise.explanation) if right else None),
                        answered=answered)
    if exercise.type == "characterise":
        right, answered, lines = grade_characterisation(exercise.asked, answer, exercise.facts, exercise.encodings)
        return Feedback(right, join_lines("\n".join(lines), _no_verdict(exercise.explanation) if right else None),
                        answered=answered)
    if exercise.select == "text":
        if not isinstance(answer, str) or not normalise_text(answer):
            return Feedback(False, "Type an answer, then press Check.", answered=False)
        if answer_hash(exercise.lesson, exercise.id, answer) in exercise.accept_hashes:
            return Feedback(True, join_lines("Right.", exercise.explanation))
        return Feedback(False, "Not quite. Check the spelling, or try the short name a lawyer would use.")

    if exercise.select == "one":
        if isinstance(answer, (list, tuple, set, frozenset)) and len(answer) == 1:
            answer = next(iter(answer))
        if answer is None or answer == "":
            return Feedback(False, "Choose an answer, then press Check.", answered=False)
        cid = choice_for(exercise, answer)
        if cid is None:
            return Feedback(False, f"'{answer}' is not one of the choices.", answered=False)
        chosen = exercise.choice(cid)
        assert chosen is not None
        if chosen.correct:
            return Feedback(True, join_lines(_lead("Right.", chosen.feedback), _no_verdict(exercise.explanation)))
        if chosen.either:  # right on the other side of a reading the answer turns on
            return Feedback(True, join_lines(f"Right, on the other reading. {chosen.feedback}",
                                             _no_verdict(exercise.explanation)))
        return Feedback(False, _lead("Not quite.", chosen.feedback))

    # select == "many": the set ticked must equal the key (an empty set is an answer: "none").
    if answer is None:
        return Feedback(False, "Tick the answers that apply (or none), then press Check.", answered=False)
    values = [answer] if isinstance(answer, (str, bool)) else list(answer)
    ids, unknown = [], []
    for v in values:
        cid = choice_for(exercise, v)
        (ids if cid else unknown).append(cid or v)
    if unknown:
        return Feedback(False, f"Not among the choices: {', '.join(map(str, unknown))}.", answered=False)
    # A choice that turns on one of the workbook's own readings (`either`) is right ticked or not.
    ticked, key = set(ids), set(exercise.key)
    either = {c.id for c in exercise.choices if c.either}
    if ticked - either == key - either:
        details = tuple(c.feedback if c.feedback.startswith(c.text) else f"{c.text}: {c.feedback}"
                        for c in exercise.choices) if exercise.type in ENGINE_TYPES + ("predict",) else ()
        other = [c for c in exercise.choices if c.either and (c.id in ticked) != c.correct]
        lines = ["Right." if not other else "Right: where your answer differs from the workbook's readings, it "
                 "follows the other side of a reading the answer turns on, and that is accepted."]
        lines += [f'- "{c.text}": {c.feedback}' for c in other]
        return Feedback(True, join_lines("\n".join(lines), exercise.explanation), details=details)
    lines = ["Not quite."]
    for c in exercise.choices:
        if c.id in ticked and not c.correct and not c.either:
            lines.append(f'- You ticked "{c.text}", but it should not be ticked. {c.feedback}')
    for c in exercise.choices:
        if c.correct and c.id not in ticked and not c.either:
            lines.append(f'- You left "{c.text}" unticked, but it should be ticked. {c.feedback}')
    if exercise.type == "predict":  # the prediction is committed: reveal every circuit's answer
        return Feedback(False, "\n".join(lines), details=tuple(c.feedback for c in exercise.choices))
    return Feedback(False, "\n".join(lines))


def _lead(verdict: str, feedback: str) -> str:
    """Feedback that already opens with Yes or No needs no verdict in front of it."""
    return feedback if re.match(r"^(yes|no)\b", feedback.strip(), re.I) else f"{verdict} {feedback}"


def _no_verdict(explanation: str | None) -> str | None:
    """The explanation under a right answer, without a leading 'No.' or 'Yes.' of its own (after
    'Right.', 'No. The majority found ...' reads as if the answer were wrong)."""
    if not explanation:
        return explanation
    return re.sub(r"^(yes|no)[.:]\s+", "", explanation.strip(), count=1, flags=re.I) or explanation


def parse_saved(exercise: Exercise, saved: str) -> Any:
    """A saved answer (as `ExerciseWidget.answer_text` wrote it) back into an answer."""
    if exercise.select == "many":
        return [v for v in saved.split(",") if v]
    if exercise.select == "plies":
        return parse_moves(saved)
    if exercise.select == "facts":
        return parse_choices(exercise.asked, saved)
    return saved
