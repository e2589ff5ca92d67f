"""What a bank file may say: the keys of a bank, an exercise, a choice and a hypothetical,
and what each value must be (checked with `loading.check_mapping`, so a bad value is named
with its file and line)."""
from __future__ import annotations

import re
from typing import Any

from ..loading import Field, boolean, flag_or_names, one_of, text
from .model import ASKS, THEORIES, TYPES


_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA = re.compile(r"^[0-9a-f]{64}$")

# Keys each type may use, beyond id, type, prompt, title and explanation.
TYPE_KEYS = {
    "multiple_choice": {"select", "choices"},
    "element_check": {"facts", "case", "opinion", "hypothetical", "changes", "theory", "expect"},
    "which_circuits": {"facts", "case", "opinion", "hypothetical", "changes", "ask", "circuits", "expect"},
    "clearly_established_on": {"facts", "case", "opinion", "hypothetical", "changes", "expect"},
    "short_answer": {"accept", "accept_sha256"},
    "argue": {"facts", "case", "opinion", "hypothetical", "changes", "cite", "counter"},
    "characterise": {"case", "narrative", "set"},
    "predict": {"facts", "case", "opinion", "hypothetical", "changes", "ask", "flip", "circuits"},
}
COMMON_KEYS = {"id", "type", "prompt", "title", "explanation"}


def _exercise_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"'{value}' is not a stable id: use lower-case letters, digits and underscores, "
                         "starting with a letter (e.g. why_joshua_lost)")
    return value


def _lesson_id(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^[a-z0-9][a-z0-9_]*$", value):
        raise ValueError(f"'{value}' is not a lesson id: use the folder's name, lower-case letters, digits "
                         "and underscores (e.g. 08_my_seminar)")
    return value


def _sha(value: Any) -> str:
    if not isinstance(value, str) or not _SHA.match(value):
        raise ValueError(f"'{value}' is not a SHA-256 hex digest (make one with python -m helpers hash-answer)")
    return value


def a_list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of facts, got {type(value).__name__}")
    return value


def _texts(value: Any) -> list[str]:
    return [text(v) for v in a_list(value)]


EXERCISE_FIELDS = {
    "id": Field(True, _exercise_id),
    "type": Field(True, one_of(*TYPES)),
    "prompt": Field(True, text),
    "title": Field(False, text),
    "explanation": Field(False, text),
    "select": Field(False, one_of("one", "many")),
    "choices": Field(False, a_list),
    "facts": Field(False, _mapping),
    "case": Field(False, text),
    "opinion": Field(False, text),
    "hypothetical": Field(False, text),
    "changes": Field(False, _mapping),
    "theory": Field(False, one_of(*THEORIES)),
    "ask": Field(False, one_of(*ASKS)),
    "circuits": Field(False, a_list),
    "expect": Field(False, flag_or_names),
    "accept": Field(False, _texts),
    "accept_sha256": Field(False, lambda v: [_sha(x) for x in a_list(v)]),
    "cite": Field(False, _texts),
    "counter": Field(False, _texts),
    "narrative": Field(False, text),
    "set": Field(False, _texts),
    "flip": Field(False, _mapping),
}
CHOICE_FIELDS = {
    "text": Field(True, text),
    "correct": Field(False, boolean),
    "feedback": Field(True, text),
}
BANK_FIELDS = {
    "lesson": Field(True, _lesson_id),
    "title": Field(True, text),
    "intro": Field(False, text),
    "exercises": Field(True, a_list),
}
HYPOTHETICAL_FIELDS = {
    "id": Field(True, _exercise_id),
    "title": Field(True, text),
    "story": Field(True, text),
    "facts": Field(True, _mapping),
    "questions": Field(False, _texts),
}
