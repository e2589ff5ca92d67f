"""The fact vocabulary of CONTRACT.md: parsing and checking a fact pattern.

Every user-facing entry point (the command line, the widgets, the exercise banks)
turns input into a `Facts` through `parse_facts`, which collects every problem as
one plain-English line naming the field, the value and what is allowed.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from functools import lru_cache
from typing import Any, Mapping

from .loading import DATA_DIR, DataError, load_yaml_file, load_yaml_text

CIRCUITS = ("ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7", "ca8", "ca9", "ca10", "ca11", "cadc")
COURTS = CIRCUITS + ("scotus",)
CIRCUIT_NAMES = {
    "ca1": "First Circuit", "ca2": "Second Circuit", "ca3": "Third Circuit",
    "ca4": "Fourth Circuit", "ca5": "Fifth Circuit", "ca6": "Sixth Circuit",
    "ca7": "Seventh Circuit", "ca8": "Eighth Circuit", "ca9": "Ninth Circuit",
    "ca10": "Tenth Circuit", "ca11": "Eleventh Circuit", "cadc": "D.C. Circuit",
    "scotus": "Supreme Court",
}
CIRCUIT_ABBREVIATIONS = {
    "ca1": "1st Cir.", "ca2": "2d Cir.", "ca3": "3d Cir.", "ca4": "4th Cir.", "ca5": "5th Cir.",
    "ca6": "6th Cir.", "ca7": "7th Cir.", "ca8": "8th Cir.", "ca9": "9th Cir.",
    "ca10": "10th Cir.", "ca11": "11th Cir.", "cadc": "D.C. Cir.", "scotus": "U.S.",
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
}


class FactError(ValueError):
    """One or more problems with a fact pattern, one plain-English line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def circuit_id(value: Any) -> str | None:
    """Normalise what people type ('9th', '9', 'Ninth Circuit', 'D.C.', 'dc') to an id."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    s = str(value).strip().lower()
    s = re.sub(r"[\s.]+", " ", s).strip()
    s = re.sub(r"\b(circuit|cir|court of appeals|ct app)\b", "", s).strip()
    s = s.replace(" ", "")
    if s in COURTS:
        return s
    if s in {"dc", "d c", "districtofcolumbia", "cadc"}:
        return "cadc"
    if s in {"scotus", "supremecourt", "us"}:
        return "scotus"
    m = re.fullmatch(r"(?:ca)?(\d{1,2})(?:st|nd|rd|th|d)?", s)
    if m and 1 <= int(m.group(1)) <= 11:
        return f"ca{int(m.group(1))}"
    if s in _ORDINAL_WORDS:
        return f"ca{_ORDINAL_WORDS[s]}"
    return None


@dataclass(frozen=True)
class FactSpec:
    id: str
    group: str
    label: str
    kind: str  # circuit | date | choice | flag
    help: str
    default: Any = None
    values: tuple[str, ...] = ()
    value_labels: tuple[tuple[str, str], ...] = ()
    ordered: bool = False
    option: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "_labels", dict(self.value_labels))

    def label_of(self, value: Any) -> str:
        if self.kind == "flag":
            return "yes" if value else "no"
        return self._labels.get(value, str(value))  # type: ignore[attr-defined]

    def rank(self, value: Any) -> int:
        """Strength for the plaintiff, for ordered facts."""
        if self.kind == "flag":
            return int(bool(value))
        return self.values.index(value)


@lru_cache(maxsize=1)
def _facts_file() -> Any:
    return load_yaml_file(DATA_DIR / "facts.yaml")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, FactSpec]:
    raw = _facts_file()
    specs = {}
    for fid, spec in raw["facts"].items():
        values = spec.get("values") or {}
        specs[fid] = FactSpec(
            id=fid, group=spec["group"], label=spec["label"], kind=spec["kind"],
            help=spec.get("help", ""), default=spec.get("default"),
            values=tuple(values), value_labels=tuple(values.items()),
            ordered=spec.get("strength") == "ordered", option=bool(spec.get("option")),
        )
    return specs


def groups() -> list[tuple[str, str]]:
    raw = _facts_file()
    return [(g["id"], g["label"]) for g in raw["groups"]]


@dataclass(frozen=True)
class Facts:
    """A checked fact pattern with the two analysis options. Dates are `date`s."""

    conduct_date: date
    decision_date: date
    circuit: str | None = None
    custody: str = "none"
    pretrial_detainee: bool = False
    act_kind: str = "none"
    promise_to_victim: bool = False
    victim_relied: bool = False
    assurance_to_assailant: str = "none"
    danger_effect: str = "none"
    victim_scope: str = "public_at_large"
    awareness: str = "none"
    culpability: str = "negligence"
    deliberation: str = "unhurried"
    harm_foreseeable: bool = False
    but_for_cause: bool = False
    harm_source: str = "private_violence"
    victim_public_employee: bool = False
    pursuit: bool = False
    professional_departure: bool = False
    assume_recognized: bool = False
    generality: str = "default"

    def to_dict(self) -> dict:
        out = asdict(self)
        out["conduct_date"] = self.conduct_date.isoformat()
        out["decision_date"] = self.decision_date.isoformat()
        if out["circuit"] is None:
            del out["circuit"]
        return out

    def with_(self, **changes: Any) -> "Facts":
        return replace(self, **changes)


FACT_FIELDS = tuple(f.name for f in fields(Facts))
#: Facts a student can move one at a time (no circuit, dates or options).
VARIABLE_FACTS = tuple(
    f for f in FACT_FIELDS
    if f not in {"conduct_date", "decision_date", "circuit", "assume_recognized", "generality"}
)


def _describe_allowed(spec: FactSpec) -> str:
    if spec.kind == "flag":
        return "true or false"
    if spec.kind == "date":
        return "a date as YYYY-MM-DD"
    if spec.kind == "circuit":
        return "a circuit: ca1 ... ca11, cadc (or 1st, 9th, D.C., Ninth Circuit)"
    return ", ".join(spec.values)


def _check_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_facts(raw: Any, *, need_circuit: bool = False, today: date | None = None) -> Facts:
    """Check a mapping of facts against the contract; raise FactError listing every problem."""
    if isinstance(raw, Facts):
        if need_circuit and raw.circuit is None:
            raise FactError(["circuit: missing; allowed: " + _describe_allowed(vocabulary()["circuit"])])
        return raw
    if not isinstance(raw, Mapping):
        raise FactError([f"input: a fact pattern must be one object (a mapping of fields), not {type(raw).__name__}"])
    vocab = vocabulary()
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = vocab.get(key) if isinstance(key, str) else None
        if spec is None:
            problems.append(f"{key}: unknown field; allowed fields: {', '.join(vocab)}")
            continue
        if spec.kind == "circuit":
            cid = circuit_id(value)
            if cid is None or cid == "scotus":
                problems.append(f"circuit: value {value!r} is not a circuit; allowed: {_describe_allowed(spec)}")
            else:
                values[key] = cid
        elif spec.kind == "date":
            d = _check_date(value)
            if d is None:
                problems.append(f"{key}: value {value!r} is not a date; allowed: {_describe_allowed(spec)}")
            else:
                values[key] = d
        elif spec.kind == "flag":
            if not isinstance(value, bool):
                problems.append(f"{key}: value {value!r} is not allowed; allowed: {_describe_allowed(spec)}")
            else:
                values[key] = value
        else:
            if not isinstance(value, str) or value not in spec.values:
                problems.append(f"{key}: value {value!r} is not allowed; allowed: {_describe_allowed(spec)}")
            else:
                values[key] = value
    if "conduct_date" not in values and "conduct_date" not in raw:
        problems.append("conduct_date: missing; allowed: a date as YYYY-MM-DD (required)")
    if need_circuit and "circuit" not in values and "circuit" not in raw:
        problems.append("circuit: missing; allowed: " + _describe_allowed(vocab["circuit"]))
    if "decision_date" not in raw:
        values["decision_date"] = today or date.today()
    cd, dd = values.get("conduct_date"), values.get("decision_date")
    if cd and dd and dd < cd:
        problems.append(
            f"decision_date: value '{dd.isoformat()}' is before the conduct_date '{cd.isoformat()}'; "
            "allowed: a date on or after the conduct_date"
        )
    if values.get("act_kind") == "signalled_impunity" and values.get("assurance_to_assailant", "none") == "none":
        problems.append(
            "act_kind: value 'signalled_impunity' needs an assurance_to_assailant; "
            "allowed: set assurance_to_assailant to implicit or explicit, or choose another act_kind"
        )
    if problems:
        raise FactError(problems)
    return Facts(**values)


def parse_text(text: str, source: str = "input") -> Any:
    """JSON or YAML text to a Python object; errors become FactError lines."""
    stripped = text.strip()
    if not stripped:
        raise FactError([f"{source}: empty; expected one JSON or YAML object of facts"])
    if stripped[0] in "{[":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise FactError([f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None
    try:
        data = load_yaml_text(text, source)
    except DataError as exc:
        raise FactError(exc.problems) from None
    return _plain(data)


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj
