"""Strict YAML loading for the law-as-data files.

A duplicate key, an unknown key, a non-ISO date or a wrong type is a `DataError`
that names the file and the line. Dates stay strings until the schema checks
them: YAML's own timestamp rule would accept `2006-3-7`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataError(ValueError):
    """A problem in a data file, located by file and line."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class Located(dict):
    """A mapping that remembers where it and each of its keys stood."""

    source: str = "?"
    line: int = 0
    key_lines: dict

    def where(self, key: str | None = None) -> str:
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        return f"{self.source}:{line}"


class LocatedList(list):
    source: str = "?"
    line: int = 0


def _make_loader(source: str):
    class Loader(_Base):  # type: ignore[misc, valid-type]
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def construct_mapping(loader, node, deep=False):
        out = Located()
        out.source, out.line, out.key_lines = source, node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in out:
                raise DataError(
                    [f"{source}:{line}: duplicate key '{key}' (first at line {out.key_lines[key]})"]
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = line
        return out

    def construct_sequence(loader, node, deep=False):
        out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
        out.source, out.line = source, node.start_mark.line + 1
        return out

    Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    return Loader


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text strictly; errors name `source` and the line."""
    try:
        return yaml.load(text, Loader=_make_loader(source))  # noqa: S506 - safe loader subclass
    except DataError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DataError([f"{source}:{line}: not valid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise DataError([f"{source}: not valid YAML: {exc}"]) from None


def load_yaml_file(path: Path) -> Any:
    try:
        rel = path.relative_to(DATA_DIR.parent)
    except ValueError:
        rel = path
    return load_yaml_text(path.read_text(encoding="utf-8"), str(rel))


# --- schema checking -----------------------------------------------------------

def iso_date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"'{value}' is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None


def where(node: Any, key: str | None = None) -> str:
    if isinstance(node, Located):
        return node.where(key)
    return f"{getattr(node, 'source', '?')}:{getattr(node, 'line', 0)}"


@dataclass(frozen=True)
class Field:
    """One key of a mapping in a data file: whether required, and how to check it."""

    required: bool = False
    check: Callable[[Any], Any] | None = None  # returns the converted value or raises ValueError


def check_mapping(node: Any, fields: Mapping[str, Field], what: str) -> dict:
    """Check `node` against `fields`; return converted values. Raises DataError with lines."""
    if not isinstance(node, dict):
        raise DataError([f"{where(node)}: {what} must be a mapping, not {type(node).__name__}"])
    problems, out = [], {}
    for key in node:
        if key not in fields:
            problems.append(
                f"{where(node, key)}: unknown key '{key}' in {what}; allowed: {', '.join(fields)}"
            )
    for key, spec in fields.items():
        if key not in node:
            if spec.required:
                problems.append(f"{where(node)}: {what} is missing required key '{key}'")
            continue
        value = node[key]
        if spec.check is not None:
            try:
                value = spec.check(value)
            except DataError as exc:
                problems.extend(exc.problems)
                continue
            except (ValueError, TypeError) as exc:
                problems.append(f"{where(node, key)}: {what} key '{key}': {exc}")
                continue
        out[key] = value
    if problems:
        raise DataError(problems)
    return out


def checked_entries(nodes: Iterable[Any], fields: Mapping[str, Field], what: str,
                    problems: list[str]) -> Iterable[tuple[Any, dict]]:
    """Yield (node, checked values) for each entry that passes `check_mapping`; the problems of
    the others go into `problems`, so one bad entry does not hide the next."""
    for node in nodes:
        try:
            yield node, check_mapping(node, fields, what)
        except DataError as exc:
            problems.extend(exc.problems)


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected text, got {value!r}")
    return value.strip()


def optional_text(value: Any) -> str | None:
    return None if value is None else text(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def optional_bool(value: Any) -> bool | None:
    return None if value is None else boolean(value)


def optional_date(value: Any) -> date | None:
    return None if value is None else iso_date(value)


def one_of(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"'{value}' is not allowed; allowed: {', '.join(allowed)}")
        return value

    return check


def list_of(check: Callable[[Any], Any]) -> Callable[[Any], list]:
    def check_list(value: Any) -> list:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {type(value).__name__}")
        problems, out = [], []
        for item in value:
            try:
                out.append(check(item))
            except DataError as exc:
                problems.extend(exc.problems)
            except (ValueError, TypeError) as exc:
                problems.append(f"{where(value)}: {exc}")
        if problems:
            raise DataError(problems)
        return out

    return check_list
