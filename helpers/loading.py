"""Strict loading for every file and stream a person supplies, and for the law-as-data files.

One reading path (`read_bytes` -> `decode` -> `load_yaml_text` / `load_json_text`):
- bytes in, at most `MAX_BYTES`; a folder, a missing file or an unreadable one is a message;
- UTF-8 only (a BOM is allowed): a bad byte is named by file, line and byte offset, and so is a
  control character (NUL, escape...) that YAML and JSON do not allow;
- YAML is loaded with the safe loader, after a scan of its events that refuses nesting deeper than
  `MAX_DEPTH` and aliases that expand past `MAX_NODES` (the "billion laughs"), a recursive alias,
  an integer longer than `MAX_INT_DIGITS` digits, and a key that is a list or a mapping;
- JSON gets the same depth and integer limits, and a duplicate key is an error.
Every problem is a `DataError` whose lines begin `file:line:`; long values are shortened.

A duplicate key, an unknown key, a non-ISO date or a wrong type is a `DataError`
that names the file and the line. Dates stay strings until the schema checks
them: YAML's own timestamp rule would accept `2006-3-7`.
"""
from __future__ import annotations

import json
import os
import re
import stat
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 4 * 1024 * 1024      # the largest data file is about 30 KB
MAX_DEPTH = 64                   # nesting of lists and mappings
MAX_NODES = 200_000              # values in a document once its aliases are expanded
MAX_INT_DIGITS = 40
MAX_SHOWN = 60                   # characters of a value quoted in a message
MAX_LINE = 600                   # characters of one message line (an allowed-fields list fits)
MAX_ENTRIES = 300                # exercises in one bank (the largest has 34; each may cost the engine ms)


class DataError(ValueError):
    """A problem in a data file, located by file and line."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def _render_traceback_(self) -> list[str]:
        """In a notebook, IPython shows these lines instead of a traceback."""
        return [f"{type(self).__name__}: {len(self.problems)} problem(s)"] + [one_line(p) for p in self.problems[:20]]


# --- messages ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shorten(value: Any, limit: int = MAX_SHOWN) -> str:
    """`repr` of a value, cut to `limit` characters, on one line."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value)} characters)"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__
        text = f"<{type(value).__name__}>"
    return one_line(text, limit + 10)


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """A message line safe for a terminal: control characters escaped, at most `limit` characters."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind(value: Any) -> str:
    """What a value is, in words: 'a list', 'text', 'nothing'..."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, datetime):
        return "a timestamp"
    if isinstance(value, date):
        return "a date"
    return f"a {type(value).__name__}"


# --- reading bytes and text --------------------------------------------------------

def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(DATA_DIR.parent.resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def read_bytes(source: str | Path, *, limit: int = MAX_BYTES, name: str | None = None) -> tuple[bytes, str]:
    """The bytes of a file, or of standard input for '-'; problems are DataErrors naming it."""
    if str(source) == "-":
        name = name or "stdin"
        if sys.stdin is None:
            raise DataError([f"{name}: there is no standard input (closed)"])
        stream = getattr(sys.stdin, "buffer", None)
        try:
            data = stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode("utf-8")
        except (OSError, ValueError) as exc:
            raise DataError([f"{name}: cannot read standard input: {one_line(str(exc))}"]) from None
    else:
        path = Path(source)
        name = name or display_name(path)
        try:
            if path.is_dir():
                raise DataError([f"{name}: is a folder; expected a file"])
            if not path.exists():
                raise DataError([f"{name}: no such file"])
            if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device would wait for ever
                raise DataError([f"{name}: is not a regular file (a pipe or a device); give a file, or - for "
                                 "standard input"])
            with open(path, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped for a pipe meanwhile
                    raise DataError([f"{name}: is not a regular file"])
                data = fh.read(limit + 1)
        except OSError as exc:
            raise DataError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    if len(data) > limit:
        raise DataError([f"{name}: too large (more than {limit:,} bytes); the limit is {limit:,} bytes"])
    return data, name


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
# What YAML 1.1 calls printable (JSON allows less); everything else is refused here.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def decode(data: bytes, name: str) -> str:
    """UTF-8 bytes to text; a bad byte or a control character is named by line and offset."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise DataError([f"{name}:1: the text is {encoding}; save it as UTF-8"])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError([f"{name}:{line}: byte {exc.start} (0x{data[exc.start]:02x}) is not UTF-8; "
                         "save the file as UTF-8"]) from None
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise DataError([f"{name}:{line}: character U+{ord(bad.group()):04X} at column {column} is a control "
                         "character, not allowed in the text"])
    return text


def read_text(source: str | Path, *, limit: int = MAX_BYTES, name: str | None = None) -> tuple[str, str]:
    """`read_bytes` then `decode`: (text, the name to use in messages)."""
    data, name = read_bytes(source, limit=limit, name=name)
    return decode(data, name), name


# --- YAML ----------------------------------------------------------------------------


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
    item_lines: list = []

    def where(self, index: int | None = None) -> str:
        if index is not None and 0 <= index < len(self.item_lines):
            return f"{self.source}:{self.item_lines[index]}"
        return f"{self.source}:{self.line}"


def _check_events(text: str, source: str) -> None:
    """Refuse deep nesting before anything recursive sees the document."""
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise DataError([f"{source}:{event.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep"])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _check_nodes(root: yaml.Node, source: str) -> None:
    """Count the values once aliases are expanded; refuse recursion, bombs, huge integers."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    seen, stack = set(), [root]
    while stack:  # the values as written, each once
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    budget = max(MAX_NODES, 2 * len(seen))  # aliases may repeat values, not multiply them

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise DataError([f"{source}:{node.start_mark.line + 1}: an alias refers to the value that contains it"])
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INT_DIGITS:
                raise DataError([f"{source}:{node.start_mark.line + 1}: a number {len(node.value)} digits long; "
                                 f"at most {MAX_INT_DIGITS} digits"])
            sizes[key] = 1
            return 1
        open_.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        total = 1
        for child in children:
            total += size(child)
            if total > budget:
                raise DataError([f"{source}:{node.start_mark.line + 1}: more than {budget:,} values once its "
                                 "aliases (*name) are expanded; write the values out or use fewer aliases"])
        open_.discard(key)
        sizes[key] = total
        return total

    size(root)


def _make_loader(source: str):
    class Loader(_Base):  # type: ignore[misc, valid-type]
        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep=deep)
            except (DataError, yaml.MarkedYAMLError):
                raise
            except Exception as exc:  # noqa: BLE001 - any constructor failure is the file's problem
                raise DataError([f"{source}:{node.start_mark.line + 1}: cannot read the value "
                                 f"{shorten(node.value if isinstance(node.value, str) else node.tag)}: "
                                 f"{one_line(str(exc), 120)}"]) from None

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
            if isinstance(key, (list, dict, set)):
                raise DataError([f"{source}:{line}: a key must be a name, not {kind(key)}"])
            if key in out:
                raise DataError(
                    [f"{source}:{line}: duplicate key {shorten(key)} (first at line {out.key_lines[key]})"]
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = line
        return out

    def construct_sequence(loader, node, deep=False):
        out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
        out.source, out.line = source, node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out

    def construct_timestamp(loader, node):
        value = str(node.value).strip()
        if _ISO_DATE.match(value):
            return value  # a date stays a string, checked like any other
        raise DataError([f"{source}:{node.start_mark.line + 1}: {shorten(value)} is a timestamp; "
                         "write a date as YYYY-MM-DD"])

    Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    return Loader


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text strictly and safely; errors name `source` and the line."""
    try:
        _check_events(text, source)
        loader = _make_loader(source)(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_nodes(node, source)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except DataError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise DataError([f"{source}:{line}: not valid YAML: {one_line(exc.problem or str(exc), 160)}"]) from None
    except yaml.YAMLError as exc:
        raise DataError([f"{source}:1: not valid YAML: {one_line(str(exc), 160)}"]) from None
    except (RecursionError, MemoryError):
        raise DataError([f"{source}:1: too deeply nested or too large to read"]) from None


# --- JSON ------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'\\.|"', re.S)  # an escape or a quote: all that ends or starts a string


def _without_strings(text: str, keep: str = "") -> str:
    """The text with every JSON string replaced by `keep`, in one pass (linear: a regex for the
    whole string backtracks quadratically on an unterminated run of escaped quotes). An
    unterminated string runs to the end."""
    out, start, inside = [], 0, False
    for m in _JSON_TOKEN.finditer(text):
        if m.group() != '"':
            continue  # an escape: inside a string it is part of it; outside, JSON refuses it anyway
        if inside:
            out.append(keep)
            start = m.end()
        else:
            out.append(text[start:m.start()])
        inside = not inside
    if not inside:
        out.append(text[start:])
    return "".join(out)


def _json_line(text: str, key: str, after: int = 0) -> int:
    """The line of the `after`-th+1 occurrence of "key": in the text (a good guess; JSON keeps no lines)."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    for i, m in enumerate(pattern.finditer(text)):
        if i >= after:
            return text.count("\n", 0, m.start()) + 1
    return 1


def load_json_text(text: str, source: str) -> Any:
    """Parse JSON with limits on depth and integer size; a duplicate key is an error. A top-level
    object comes back `Located` (each key's line found in the text)."""
    skeleton = re.sub(r"[^\[\]{}\n]", "", _without_strings(text))
    depth = 0
    for line_no, line in enumerate(skeleton.split("\n"), 1):
        for ch in line:
            depth += 1 if ch in "[{" else -1
            if depth > MAX_DEPTH:
                raise DataError([f"{source}:{line_no}: nested more than {MAX_DEPTH} levels deep"])

    duplicates: list[str] = []

    def pairs(items: list) -> dict:
        out: dict = {}
        for k, v in items:
            if k in out and not duplicates:
                duplicates.append(k)
            out[k] = v
        return out

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise DataError([f"{source}:1: a number {len(digits)} digits long; at most {MAX_INT_DIGITS} digits"])
        return int(digits)

    def constant(name: str) -> Any:
        raise DataError([f"{source}:1: not valid JSON: {name} is not a JSON value"])

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=integer, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise DataError([f"{source}:{exc.lineno}: not valid JSON at column {exc.colno}: {exc.msg}"]) from None
    except DataError as exc:
        problem = exc.problems[0]
        if "digits long" in problem:
            m = re.search(r"-?\d{%d,}" % (MAX_INT_DIGITS + 1), _without_strings(text, '""'))
            if m:
                problem = problem.replace(f"{source}:1:", f"{source}:{text.count(chr(10), 0, m.start()) + 1}:", 1)
        raise DataError([problem]) from None
    except (RecursionError, MemoryError):
        raise DataError([f"{source}:1: too deeply nested or too large to read"]) from None
    if duplicates:
        k = duplicates[0]
        raise DataError([f"{source}:{_json_line(text, k, 1)}: duplicate key {shorten(k)} "
                         f"(first at line {_json_line(text, k)})"])
    if isinstance(data, dict):
        located = Located(data)
        located.source, located.line = source, text.count("\n", 0, text.find("{")) + 1
        located.key_lines = {k: _json_line(text, k) for k in list(data)[:1000]}
        return located
    return data


def load_yaml_file(path: Path, *, mapping: bool = True) -> Any:
    """Read, decode and parse a YAML file; by default its top level must be a mapping."""
    text, name = read_text(Path(path))
    data = load_yaml_text(text, name)
    if mapping:
        require_mapping(data, name, text)
    return data


def require_mapping(data: Any, name: str, text: str = "") -> None:
    if isinstance(data, dict):
        return
    if data is None:
        what = "is empty (or only comments)" if not text.strip() or all(
            not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()) else "holds nothing"
        raise DataError([f"{name}:1: the file {what}; expected a mapping (key: value lines)"])
    line = getattr(data, "line", 0) or next((i for i, ln in enumerate(text.splitlines(), 1)
                                             if ln.strip() and not ln.lstrip().startswith("#")), 1)
    raise DataError([f"{name}:{line}: the file holds {kind(data)}; expected a mapping (key: value lines)"])


# --- schema checking -----------------------------------------------------------

MAX_PROBLEMS_PER_MAPPING = 10


def at_most(items: Any, location: str, what: str = "exercises", limit: int = MAX_ENTRIES) -> None:
    """Bound the work a file may ask for: a list of more than `limit` entries is refused at once,
    before any of them is built or checked."""
    if isinstance(items, (list, tuple)) and len(items) > limit:
        raise DataError([f"{location}: {len(items):,} {what}; one file holds at most {limit} (split it into lessons)"])


def iso_date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"{shorten(value)} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None


def where(node: Any, key: Any = None) -> str:
    if isinstance(node, (Located, LocatedList)):
        return node.where(key)
    return f"{getattr(node, 'source', '?')}:{getattr(node, 'line', 0)}"


_NOWHERE = "?:0:"


def relocate(problems: Iterable[str], location: str) -> list[str]:
    """Give problems found in a value that has no line of its own (a scalar) its parent's location."""
    return [f"{location}:{p[len(_NOWHERE):]}" if p.startswith(_NOWHERE) else p for p in problems]


@dataclass(frozen=True)
class Field:
    """One key of a mapping in a data file: whether required, and how to check it."""

    required: bool = False
    check: Callable[[Any], Any] | None = None  # returns the converted value or raises ValueError


def check_mapping(node: Any, fields: Mapping[str, Field], what: str) -> dict:
    """Check `node` against `fields`; return converted values. Raises DataError with lines."""
    if not isinstance(node, dict):
        raise DataError([f"{where(node)}: {what} must be a mapping (key: value), not {kind(node)}"])
    problems, out = [], {}
    unknown = [key for key in node if key not in fields]
    for key in unknown[:MAX_PROBLEMS_PER_MAPPING]:
        problems.append(
            f"{where(node, key)}: unknown key {shorten(key)} in {what}; allowed: {', '.join(fields)}"
        )
    if len(unknown) > MAX_PROBLEMS_PER_MAPPING:
        problems.append(f"{where(node)}: {len(unknown) - MAX_PROBLEMS_PER_MAPPING} more unknown keys in {what}")
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
                problems.extend(relocate(exc.problems, where(node, key)))
                continue
            except (ValueError, TypeError) as exc:
                problems.append(f"{where(node, key)}: {what} key '{key}': {one_line(str(exc), 200)}")
                continue
        out[key] = value
    if problems:
        raise DataError(problems)
    return out


def checked_entries(nodes: Iterable[Any], fields: Mapping[str, Field], what: str,
                    problems: list[str]) -> Iterable[tuple[Any, dict]]:
    """Yield (node, checked values) for each entry that passes `check_mapping`; the problems of
    the others go into `problems`, so one bad entry does not hide the next."""
    if not isinstance(nodes, list):
        problems.append(f"{where(nodes)}: expected a list of {what} entries, not {kind(nodes)}")
        return
    for i, node in enumerate(nodes):
        try:
            yield node, check_mapping(node, fields, what)
        except DataError as exc:
            problems.extend(relocate(exc.problems, where(nodes, i)))


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected text, got {shorten(value)}")
    return value.strip()


def optional_text(value: Any) -> str | None:
    return None if value is None else text(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {shorten(value)}")
    return value


def optional_bool(value: Any) -> bool | None:
    return None if value is None else boolean(value)


def optional_date(value: Any) -> date | None:
    return None if value is None else iso_date(value)


def one_of(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        try:
            ok = value in allowed
        except TypeError:  # an unhashable value compared against strings
            ok = False
        if not ok:
            raise ValueError(f"{shorten(value)} is not allowed; allowed: {', '.join(allowed)}")
        return value

    return check


def list_of(check: Callable[[Any], Any]) -> Callable[[Any], list]:
    def check_list(value: Any) -> list:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {kind(value)}")
        problems, out = [], []
        for i, item in enumerate(value):
            try:
                out.append(check(item))
            except DataError as exc:
                problems.extend(relocate(exc.problems, where(value, i)))
            except (ValueError, TypeError) as exc:
                problems.append(f"{where(value, i)}: {one_line(str(exc), 200)}")
        if problems:
            raise DataError(problems)
        return out

    return check_list


def flag_or_names(value: Any) -> Any:
    """true/false, or a list of names (text or numbers): what an exercise's `expect` may hold."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, list):
        raise ValueError(f"expected true/false or a list of ids, got {kind(value)}")
    for item in value:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise ValueError(f"each item must be an id (text), not {kind(item)}: {shorten(item)}")
    return value
