"""The command line: `python -m helpers evaluate|compare|flips FILE|-`, and the checks.

Exit status 0 with JSON on standard output; 2 with one line per problem on standard
error (naming the file and line, the field, the value and what is allowed) and nothing on
standard output. Input is read by `loading.read_text` (size cap, UTF-8 named by byte offset,
safe YAML with depth and alias limits, JSON with depth and integer limits); every message line
is cut to one short line, and at most `MAX_PROBLEMS` are printed.
"""
from __future__ import annotations

import argparse
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


def _parser() -> argparse.ArgumentParser:
    # The other modules' subcommands: imported here, not at the top, so `import helpers.cli` stays light.
    from .exercises.commands import CLI_COMMANDS as exercise_commands
    from .fidelity import CLI_COMMANDS as fidelity_commands
    from .claims import CLI_COMMANDS as claims_commands
    from .progress import CLI_COMMANDS as progress_commands

    for name, help_text, run, add_arguments in (*exercise_commands, *progress_commands, *fidelity_commands,
                                                *claims_commands):
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command][1](args)
    except (FactError, DataError) as exc:
        report(exc.problems)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head`: the reader left; say nothing
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the exit flush does not fail again
        except OSError:
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - a user sees a line, not a traceback
        if os.environ.get("DESHANEY_DEBUG"):
            raise
        print(one_line(f"python -m helpers {args.command}: internal error ({type(exc).__name__}: {exc}); "
                       "please report it (set DESHANEY_DEBUG=1 for the traceback)"), file=sys.stderr)
        return EXIT_INTERNAL
