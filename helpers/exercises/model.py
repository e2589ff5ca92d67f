"""The exercise model: a bank of exercises, each with its choices, and the feedback a grade gives.

Plain frozen dataclasses and the few words every other module of the package shares (the
exercise types, how a short answer is normalised and hashed). No file I/O, no widgets.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from ..facts import Facts

TYPES = ("multiple_choice", "element_check", "which_circuits", "clearly_established_on", "short_answer",
         "argue", "characterise", "predict")
ENGINE_TYPES = ("element_check", "which_circuits", "clearly_established_on")
THEORIES = ("state_created_danger", "special_relationship", "direct_harm")
ASKS = ("violation", "clearly_established", "immunity_denied")


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool  # right on the workbook's readings (or the course's)
    feedback: str
    #: the answer turns on one of the workbook's own readings (data/readings.yaml): ticking it and
    #: leaving it, or choosing it and not, are both right, and the feedback says which reading each follows
    either: bool = False


@dataclass(frozen=True)
class Exercise:
    id: str
    lesson: str
    type: str
    prompt: str
    choices: tuple[Choice, ...]
    select: str  # one | many | text
    explanation: str | None = None
    title: str | None = None
    facts: Facts | None = None
    source: str = ""
    accept_hashes: frozenset = field(default_factory=frozenset)
    conduct_known: bool = True  # False: a case with no conduct date in the data (decision date stands in)
    plies: tuple = ()  # argue: the moves of the three-ply argument (argue.Ply)
    narrative: str | None = None  # characterise: the story the student reads
    asked: tuple[str, ...] = ()  # characterise: the facts she sets
    encodings: tuple = ()  # characterise: (opinion name, Facts) of every separate opinion
    case: str | None = None  # the precedent the exercise's facts come from, if any
    ask: str = "violation"  # which_circuits and predict: what a tick says (violation, clearly_established, ...)
    flip: tuple = ()  # predict: the one-fact change, as (fact, value) pairs
    theory: str = "state_created_danger"  # element_check: whose elements

    @property
    def key(self) -> tuple[str, ...]:
        """The ids of the right choices (empty for short answers)."""
        return tuple(c.id for c in self.choices if c.correct)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Bank:
    lesson: str
    title: str
    exercises: tuple[Exercise, ...]
    source: str
    intro: str | None = None

    def __getitem__(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)

    def __len__(self) -> int:
        return len(self.exercises)


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str
    answered: bool = True
    details: tuple[str, ...] = ()  # with a right answer to an engine-keyed question: every choice's reason


@dataclass(frozen=True)
class Hypothetical:
    id: str
    title: str
    story: str
    facts: dict
    questions: tuple[str, ...]
    source: str


def normalise_text(value: str) -> str:
    """Case, accents, punctuation, spacing and a leading article do not matter:
    'The Pinder v. Johnson' == 'pinder v johnson'."""
    s = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", " ", s.lower())
    return re.sub(r"^(the|a|an) ", "", " ".join(s.split()))


def answer_hash(lesson: str, exercise_id: str, answer: str) -> str:
    """The salted hash a short answer is compared by (`python -m helpers hash-answer`)."""
    salt = f"deshaney-workbook:{lesson}:{exercise_id}"
    return hashlib.sha256(f"{salt}\x00{normalise_text(answer)}".encode()).hexdigest()


def plural(n: int, word: str) -> str:
    """'1 bank', '9 banks'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def join_lines(*parts: str | None) -> str:
    """The parts given, one a line; empty ones left out."""
    return "\n".join(p for p in parts if p)
