"""The fact vocabulary of CONTRACT.md: parsing and checking a fact pattern.

Every user-facing entry point (the command line, the widgets, the exercise banks)
turns input into a `Facts` through `parse_facts`, which collects every problem as
one plain-English line naming the field, the value and what is allowed.
"""
from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Mapping

from .loading import (DATA_DIR, DataError, Field, Located, check_mapping, kind, load_json_text, load_yaml_file,
                      load_yaml_text, one_line, relocate, shorten, text, where)

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

    def _render_traceback_(self) -> list[str]:
        """In a notebook, IPython shows these lines instead of a traceback."""
        return [f"{type(self).__name__}: {len(self.problems)} problem(s)"] + [one_line(p) for p in self.problems[:20]]


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
def facts_file() -> Any:
    return _checked_facts_file(load_yaml_file(DATA_DIR / "facts.yaml"))


_KINDS = ("circuit", "date", "choice", "flag")


def _checked_facts_file(raw: Any) -> Any:
    """The shape the vocabulary code relies on, checked, so a broken facts.yaml is blamed on
    itself with file and line (unknown keys are let through: the file may grow)."""
    problems: list[str] = []
    top = raw if isinstance(raw, dict) else {}
    for key, want in (("groups", list), ("facts", dict)):
        if not isinstance(top.get(key), want):
            problems.append(f"{raw.where(key) if isinstance(raw, Located) else 'data/facts.yaml:1'}: '{key}' must be "
                            f"{'a list' if want is list else 'a mapping'}, not {kind(top.get(key))}")
    if problems:
        raise DataError(problems)
    for i, g in enumerate(raw["groups"]):
        try:
            check_mapping(g, {"id": Field(True, text), "label": Field(True, text)}, "a fact group")
        except DataError as exc:
            problems.extend(relocate(exc.problems, where(raw["groups"], i)))
    spec_fields = {"group": Field(True, text), "label": Field(True, text), "kind": Field(True, _kind),
                   "values": Field(check=_values)}
    for fid, spec in raw["facts"].items():
        try:
            if not isinstance(fid, str):
                raise DataError([f"{raw['facts'].where(fid)}: fact name {shorten(fid)} must be text"])
            check_mapping({k: v for k, v in spec.items() if k in spec_fields} if isinstance(spec, Located) else spec,
                          spec_fields, f"fact '{fid}'")
        except DataError as exc:
            problems.extend(p.replace("?:0:", raw["facts"].where(fid) + ":", 1) for p in exc.problems)
    if problems:
        raise DataError(problems)
    return raw


def _kind(value: Any) -> str:
    if value not in _KINDS:
        raise ValueError(f"{shorten(value)} is not a kind; allowed: {', '.join(_KINDS)}")
    return value


def _values(value: Any) -> Any:
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"expected a mapping of value: label, not {kind(value)}")
    return value


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, FactSpec]:
    raw = facts_file()
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
    raw = facts_file()
    return [(g["id"], g["label"]) for g in raw["groups"]]


@dataclass(frozen=True)
class Facts:
    """A checked fact pattern with the two analysis options. Dates are `date`s."""

    conduct_date: date
    decision_date: date
    circuit: str | None = None
    custody: str = "none"
    pretrial_detainee: bool = False
    custody_need: str = "pressing"
    custody_response: str = "nothing"
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
    #: the readings (data/readings.yaml) taken the other way from the workbook's own; () for none
    readings: tuple = ()

    def to_dict(self) -> dict:
        out = {n: getattr(self, n) for n in FACT_FIELDS}
        if self.readings:
            out["readings"] = list(self.readings)
        else:
            del out["readings"]
        out["conduct_date"] = self.conduct_date.isoformat()
        out["decision_date"] = self.decision_date.isoformat()
        if out["circuit"] is None:
            del out["circuit"]
        return out

    def with_(self, **changes: Any) -> "Facts":
        """These facts with `changes`, each value checked as `parse_facts` checks it (not the relations
        between fields: the engine builds what-ifs across them). What was checked is not checked again."""
        vocab = vocabulary()
        values = {n: self.__dict__[n] for n in FACT_FIELDS}
        problems = []
        for key, value in changes.items():
            if key not in values:
                problems.append(f"{key}: unknown field; allowed fields: {', '.join(vocab)}")
            elif key == "circuit" and value is None:
                values[key] = None
            else:
                values[key], problem = _check_value(key, value, vocab.get(key))
                if problem:
                    problems.append(problem)
        if problems:
            raise FactError(problems)
        return _trusted(values)

    def __post_init__(self) -> None:
        _validate_built(self)

    # The engine keys its memos on whole fact patterns: the hash is computed once per pattern.
    def __hash__(self) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = self.__dict__["_hash"] = hash(tuple(self.__dict__[n] for n in FACT_FIELDS))
        return cached

    def __getstate__(self) -> dict:
        return {n: self.__dict__[n] for n in FACT_FIELDS}  # never the hash: it differs between processes


FACT_FIELDS = tuple(f.name for f in fields(Facts))
_DEFAULTS = {f.name: f.default for f in fields(Facts) if f.default is not MISSING}


def _trusted(values: dict) -> Facts:
    """A `Facts` of values already checked (every field present): built without checking them again."""
    facts = object.__new__(Facts)
    facts.__dict__.update(values)
    return facts
#: Facts a student can move one at a time (no circuit, dates or options).
VARIABLE_FACTS = tuple(
    f for f in FACT_FIELDS
    if f not in {"conduct_date", "decision_date", "circuit", "assume_recognized", "generality", "readings"}
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
    if isinstance(value, datetime):  # also pandas.Timestamp: the calendar date it names
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_facts(raw: Any, *, need_circuit: bool = False, today: date | None = None,
                relations: bool = True) -> Facts:
    """Check a mapping of facts against the contract; raise FactError listing every problem."""
    if isinstance(raw, Facts):  # checked when it was built (Facts.__post_init__)
        if need_circuit and raw.circuit is None:
            raise FactError(["circuit: missing; allowed: " + _describe_allowed(vocabulary()["circuit"])])
        return raw
    if not isinstance(raw, Mapping):
        raise FactError([f"input: a fact pattern must be one object (a mapping of fields), not {kind(raw)}"])
    vocab = vocabulary()
    problems: list[str] = []
    values: dict[str, Any] = {}
    unknown = 0
    for key, value in raw.items():
        spec = vocab.get(key) if isinstance(key, str) else None
        if spec is None and key != "readings":
            unknown += 1
            if unknown <= _MAX_UNKNOWN:
                name = key if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][\w.-]{0,59}", key) else shorten(key, 40)
                problems.append(f"{name}: unknown field; allowed fields: {', '.join(vocab)}")
            continue
        checked, problem = _check_value(key, value, spec)
        if problem:
            problems.append(problem)
        else:
            values[key] = checked
    if unknown > _MAX_UNKNOWN:
        problems.append(f"input: {unknown - _MAX_UNKNOWN} more unknown fields; allowed fields: {', '.join(vocab)}")
    if "conduct_date" not in values and "conduct_date" not in raw:
        problems.append("conduct_date: missing; allowed: a date as YYYY-MM-DD (required)")
    if need_circuit and "circuit" not in values and "circuit" not in raw:
        problems.append("circuit: missing; allowed: " + _describe_allowed(vocab["circuit"]))
    if "decision_date" not in raw:
        values["decision_date"] = today or date.today()
    cd, dd = values.get("conduct_date"), values.get("decision_date")
    if relations and cd and dd and dd < cd:
        problems.append(
            f"decision_date: value '{dd.isoformat()}' is before the conduct_date '{cd.isoformat()}'; "
            "allowed: a date on or after the conduct_date"
        )
    if relations and values.get("act_kind") == "signalled_impunity" and values.get("assurance_to_assailant", "none") == "none":
        problems.append(
            "act_kind: value 'signalled_impunity' needs an assurance_to_assailant; "
            "allowed: set assurance_to_assailant to implicit or explicit, or choose another act_kind"
        )
    if problems:
        raise FactError(problems)
    return _trusted({**_DEFAULTS, **values})


_MAX_UNKNOWN = 10


def _check_value(key: str, value: Any, spec: FactSpec | None) -> tuple[Any, str | None]:
    """One field's value as the contract holds it (a circuit's id, a `date`), or the problem, as a line."""
    if key == "readings":
        checked = _check_readings(value)
        return (None, checked) if isinstance(checked, str) else (checked, None)
    assert spec is not None
    if spec.kind == "circuit":
        cid = circuit_id(value)
        if cid is None or cid == "scotus":
            return None, f"circuit: value {shorten(value)} is not a circuit; allowed: {_describe_allowed(spec)}"
        return cid, None
    if spec.kind == "date":
        d = _check_date(value)
        if d is None:
            return None, f"{key}: value {shorten(value)} is not a date; allowed: {_describe_allowed(spec)}"
        return d, None
    if spec.kind == "flag":
        if not isinstance(value, bool):
            return None, f"{key}: value {shorten(value)} is not allowed; allowed: {_describe_allowed(spec)}"
        return value, None
    if not isinstance(value, str) or value not in spec.values:
        return None, f"{key}: value {shorten(value)} is not allowed; allowed: {_describe_allowed(spec)}"
    return value, None


def _check_readings(value: Any) -> "tuple[str, ...] | str":
    """The `readings` option: ids of data/readings.yaml taken the other way, as a sorted tuple;
    or the problem, as a line."""
    from .readings import readings  # the registry is data, loaded on first use

    known = readings()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or any(not isinstance(v, str) or v not in known for v in items):
        return (f"readings: value {shorten(value)} is not allowed; allowed: a list of reading ids of "
                f"data/readings.yaml ({', '.join(known)})")
    return tuple(sorted(set(items)))


def _parse(text: str, source: str) -> Any:
    """JSON (the same limits as the data files) or YAML text; a `{`/`[` text that is not JSON
    but is valid YAML (a flow mapping such as `{conduct_date: 1998-09-24}`) is read as YAML."""
    stripped = text.strip()
    if not stripped or all(not ln.strip() or ln.lstrip().startswith("#") for ln in stripped.splitlines()):
        raise FactError([f"{source}:1: empty; expected one JSON or YAML object of facts"])
    try:
        if stripped[0] in "{[":
            try:
                return load_json_text(text, source)
            except DataError as json_error:
                if "not valid JSON" not in json_error.problems[0]:
                    raise
                try:
                    return load_yaml_text(text, source)
                except DataError as yaml_error:  # YAML that parsed but is wrong says more than JSON's syntax
                    raise (json_error if "not valid YAML" in yaml_error.problems[0] else yaml_error) from None
        return load_yaml_text(text, source)
    except DataError as exc:
        raise FactError(exc.problems) from None


def parse_text(text: str, source: str = "input") -> Any:
    """JSON or YAML text to a Python object; errors become FactError lines with the location."""
    return plain(_parse(text, source))


def facts_from_text(text: str, source: str = "input", **options: Any) -> Facts:
    """Text to checked `Facts`; every problem begins with `source:line:` (the line of its field)."""
    raw = _parse(text, source)
    try:
        return parse_facts(plain(raw), **options)
    except FactError as exc:
        located = []
        for p in exc.problems:
            field = p.split(":", 1)[0]
            if isinstance(raw, Located):
                line = raw.key_lines.get(field, raw.line) if isinstance(field, str) else raw.line
            else:
                line = getattr(raw, "line", 1) or 1
            located.append(f"{source}:{line}: {p}")
        raise FactError(located) from None


def _validate_built(facts: "Facts") -> None:
    """A `Facts(...)` built directly gets the checks `parse_facts` gives text: the same messages."""
    problems = []
    for name in FACT_FIELDS:
        value = getattr(facts, name)
        if name in ("conduct_date", "decision_date"):
            d = _check_date(value)
            if d is not None and d is not value:
                object.__setattr__(facts, name, d)  # a datetime or pandas.Timestamp: its date
            elif d is None:
                problems.append(f"{name}: value {shorten(value)} is not a date; allowed: a date as YYYY-MM-DD")
    if problems:
        raise FactError(problems)
    raw = {n: getattr(facts, n) for n in FACT_FIELDS if not (n == "circuit" and facts.circuit is None)}
    checked = parse_facts(raw, relations=False)  # the engine builds what-ifs across the relations
    if checked.circuit != facts.circuit:
        object.__setattr__(facts, "circuit", checked.circuit)  # '9th' -> 'ca9'


def plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return obj
