"""The command line: `python -m helpers evaluate|compare|flips FILE|-`, and the checks.

Exit status 0 with JSON on standard output; 2 with one line per problem on standard
error (naming the file and line, the field, the value and what is allowed) and nothing on
standard output. Input is read by `loading.read_text` (size cap, UTF-8 named by byte offset,
safe YAML with depth and alias limits, JSON with depth and integer limits); every message line
is cut to one short line, and at most `MAX_PROBLEMS` are printed.
"""
from __future__ import annotations

import argparse
import importlib
import contextlib
import errno
import json
import os
import sys
from pathlib import Path
from typing import Callable

from .facts import FactError, facts_from_text
from .loading import DataError, one_line, read_text

EXIT_INPUT = 2
EXIT_INTERNAL = 1
MAX_PROBLEMS = 20
MAX_ERROR_LINES = 60  # lines any command may print on standard error
MAX_FACT_BYTES = 1024 * 1024  # a fact pattern is a few hundred bytes


def _read(source: str) -> tuple[str, str]:
    """A fact file or standard input ('-'), through the one reading path."""
    return read_text(source if source == "-" else Path(source), limit=MAX_FACT_BYTES,
                     name=None if source == "-" else source)


def _engine_command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from . import engine

        text, source = _read(args.file)
        facts = facts_from_text(text, source)
        if name == "evaluate":
            out = engine.evaluate(facts).to_dict()
        elif name == "compare":
            out = engine.compare(facts).to_dict()
        else:
            out = {cid: [f.to_dict() for f in fl] for cid, fl in engine.flips(facts).items()}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0

    return run


def _check_data(args: argparse.Namespace) -> int:
    from .law import law

    lw = law()
    print(f"ok: {len(lw.circuits)} circuits, {len(lw.precedents)} precedents")
    return 0


def _data_report(args: argparse.Namespace) -> int:
    """What the data marks as simplified (interpretive notes) or not fully verified."""
    from .law import law

    lw = law()
    print("# Precedents not verified against an opinion's text or caption\n")
    for level in ("summary", "memory"):
        rows = sorted((p for p in lw.precedents.values() if p.verification == level), key=lambda p: (p.court, p.decided))
        print(f"## {level} ({len(rows)})")
        for p in rows:
            print(f"- {p.cite()} [{p.id}]")
        print()
    print("# Interpretive notes beside the rules\n")
    for circuit in lw.circuits.values():
        notes = []
        for group in (circuit.status, circuit.tests, circuit.special_relationship, circuit.culpability, circuit.consensus):
            for entry in group:
                if entry.note and "nterpretive" in entry.note:
                    notes.append(entry.note)
                for e in getattr(entry, "elements", ()):
                    if e.note and "nterpretive" in e.note:
                        notes.append(f"{e.id}: {e.note}")
        print(f"## {circuit.id} ({len(notes)})")
        for n in dict.fromkeys(notes):
            print(f"- {' '.join(n.split())}")
        print()
    return 0


COMMANDS: dict[str, tuple[str, Callable[[argparse.Namespace], int] | None]] = {
    "evaluate": ("answer one circuit for a fact pattern (JSON or YAML; - for stdin)", _engine_command("evaluate")),
    "compare": ("answer every circuit, ca1 to cadc", _engine_command("compare")),
    "flips": ("for each circuit, the single fact changes that change the answer", _engine_command("flips")),
    "check-data": ("load and check every data file", _check_data),
    "data-report": ("list what the data marks as simplified or unverified", _data_report),
}


def register(name: str, help_text: str, run: Callable[[argparse.Namespace], int],
             add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> None:
    """Let other modules (lessons, progress) add subcommands without editing this file."""
    COMMANDS[name] = (help_text, run)
    if add_arguments:
        _EXTRA_ARGS[name] = add_arguments


_EXTRA_ARGS: dict[str, Callable[[argparse.ArgumentParser], None]] = {}


_NOT_LOADED: dict[str, str] = {}  # module -> why its subcommands could not be registered


def _parser() -> argparse.ArgumentParser:
    # The other modules' subcommands (each module's CLI_COMMANDS table), imported here so that
    # `import helpers.cli` stays light; a module that cannot be loaded is named by `main` (MemoryError
    # is not swallowed here: it is the user's to fix, and said so by `main`).
    for module in ("exercises.commands", "progress", "fidelity", "claims"):
        try:
            table = importlib.import_module(f"helpers.{module}").CLI_COMMANDS
        except ImportError as exc:
            _NOT_LOADED[f"helpers.{module}"] = f"{type(exc).__name__}: {exc}"
            continue
        for name, help_text, run, add_arguments in table:
            register(name, help_text, run, add_arguments)
    parser = argparse.ArgumentParser(prog="python -m helpers", description="The DeShaney Workbook")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name in ("evaluate", "compare", "flips"):
            p.add_argument("file", help="a JSON or YAML fact pattern, or - for standard input")
        if name in _EXTRA_ARGS:
            _EXTRA_ARGS[name](p)
    return parser


def report(problems: list[str], stream=None) -> None:
    """Print problems one short line each, at most MAX_PROBLEMS of them."""
    stream = stream or sys.stderr
    lines = [one_line(p) for p in problems] or ["input: not accepted (no detail)"]
    lines = list(dict.fromkeys(lines))
    for line in lines[:MAX_PROBLEMS]:
        print(line, file=stream)
    if len(lines) > MAX_PROBLEMS:
        print(f"... and {len(lines) - MAX_PROBLEMS} more problems", file=stream)


class BoundedLines:
    """Standard error as every command gets it: each line made safe for a terminal (control
    characters escaped, cut to one short line) and at most MAX_ERROR_LINES of them, then a count
    and the last line (a summary), so no input can flood the terminal."""

    def __init__(self, stream, limit: int = MAX_ERROR_LINES):
        self.stream, self.limit = stream, limit
        self.shown = self.dropped = 0
        self.partial, self.last = "", None

    def write(self, text: str) -> int:
        lines = (self.partial + str(text)).split("\n")
        self.partial = lines.pop()[: 4 * MAX_PROBLEMS * 1000]  # an endless line is cut, not held whole
        for line in lines:
            self._line(line)
        return len(text)

    def _line(self, line: str) -> None:
        if self.shown < self.limit:
            self.shown += 1
            self.stream.write(one_line(line) + "\n")
        else:
            self.dropped += 1
            self.last = line

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stream.flush()

    def finish(self) -> None:
        if self.partial:
            self._line(self.partial)
            self.partial = ""
        if self.dropped:
            if self.dropped > 1:
                self.stream.write(f"... and {self.dropped - 1} more lines not shown\n")
            self.stream.write(one_line(self.last) + "\n")
            self.dropped = 0
        self.flush()

    def isatty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _user_error(command: str, exc: BaseException) -> str | None:
    """One plain line for an error that is the user's to fix (a path, the output, memory, a byte
    that is not UTF-8), or None for a real internal error."""
    if isinstance(exc, MemoryError):
        return f"python -m helpers {command}: not enough memory (close other programs, or raise the limit)"
    if isinstance(exc, UnicodeError):
        return (f"python -m helpers {command}: an argument has a byte that is not UTF-8 "
                f"({one_line(str(exc), 120)}); type it again in UTF-8")
    if isinstance(exc, OSError):
        where = exc.filename or ("standard output" if exc.errno in (errno.ENOSPC, errno.EBADF, errno.EIO) else "")
        what = exc.strerror or str(exc)
        return f"python -m helpers {command}: {where}: {what}" if where else f"python -m helpers {command}: {what}"
    return None


def _command_of(argv: list[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    guard = BoundedLines(sys.stderr) if sys.stderr is not None else None
    saved_stderr = sys.stderr
    if guard is not None:
        sys.stderr = guard
    command = _command_of(argv) or "?"
    try:
        if sys.stdout is None or getattr(sys.stdout, "closed", False):
            print(f"python -m helpers {command}: standard output is closed; nothing can be written to it",
                  file=sys.stderr)
            return EXIT_INPUT
        try:
            parser = _parser()
            if command not in COMMANDS and command not in ("?",) and _NOT_LOADED and not command.startswith("-"):
                why = "; ".join(f"{m}: {w}" for m, w in _NOT_LOADED.items())
                if "memory" in why.lower() or "map segment" in why.lower():
                    why = f"not enough memory to load it (close other programs, or raise the limit): {why}"
                print(one_line(f"python -m helpers {command}: unknown command, or its module could not be loaded "
                               f"({why})"), file=sys.stderr)
                return EXIT_INPUT
            args = parser.parse_args(argv)
            status = COMMANDS[args.command][1](args)
            sys.stdout.flush()  # a full or closed output is found here, not at exit
            return status
        except (FactError, DataError) as exc:
            report(exc.problems)
            return EXIT_INPUT
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:  # `... | head`: the reader left; say nothing
            _quiet_stdout()
            return 0
        except Exception as exc:  # noqa: BLE001 - a user sees a line, not a traceback
            if os.environ.get("DESHANEY_DEBUG"):
                raise
            said = _user_error(command, exc)
            if said is not None:
                _quiet_stdout()
                print(one_line(said), file=sys.stderr)
                return EXIT_INPUT
            print(one_line(f"python -m helpers {command}: internal error ({type(exc).__name__}: {exc}); "
                           "please report it (set DESHANEY_DEBUG=1 for the traceback)"), file=sys.stderr)
            return EXIT_INTERNAL
    finally:
        if guard is not None:
            with contextlib.suppress(Exception):
                guard.finish()
            sys.stderr = saved_stderr


def _quiet_stdout() -> None:
    """Output that failed: send the rest nowhere, so the flush at exit does not fail again."""
    try:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    except OSError:
        pass
