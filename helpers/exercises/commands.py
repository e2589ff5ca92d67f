"""The exercises' commands for `python -m helpers`: check-lessons, hash-answer and class-report.

`helpers.cli` reads `CLI_COMMANDS` and registers them: the command line sits on top and imports
downward; nothing here imports the command line.
"""
from __future__ import annotations

import argparse
import sys

from .. import classreport
from .audit import measure, meets_targets, report_lines
from .bank import LESSONS_DIR, check_lessons
from .contested import load_course
from .model import ENGINE_TYPES, answer_hash, plural


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="exercise banks or lesson folders (default: every lesson and the template)")


def _run_check(args: argparse.Namespace) -> int:
    report = check_lessons(args.paths or None)
    for line in report.problems:
        print(line, file=sys.stderr)
    if report.problems:
        print(f"check-lessons: {plural(len(report.problems), 'problem')} found; nothing was changed.", file=sys.stderr)
        return 2
    n = sum(len(b) for b in report.banks)
    computed = sum(ex.type in ENGINE_TYPES for b in report.banks for ex in b.exercises)
    print(f"ok: {plural(len(report.banks), 'bank')}, {plural(n, 'exercise')} "
          f"({computed} keyed by the engine, {report.expects_confirmed} author expectations confirmed)")
    return 0


def _hash_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lesson")
    parser.add_argument("exercise")
    parser.add_argument("answer")


def _run_hash(args: argparse.Namespace) -> int:
    print(answer_hash(args.lesson, args.exercise, args.answer))
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="exercise banks or lesson folders (default: every lesson)")


def _run_report(args: argparse.Namespace) -> int:
    report = check_lessons(args.paths or None)
    if report.problems:
        for line in report.problems:
            print(line, file=sys.stderr)
        return 2
    counts = measure(report.banks, load_course(LESSONS_DIR))
    print("\n".join(report_lines(counts)))
    return 0 if meets_targets(counts) else 1


#: (name, help, run, add_arguments), registered by `helpers.cli`.
CLI_COMMANDS = (
    ("check-lessons", "validate every exercise bank (or the PATHs given)", _run_check, _check_arguments),
    ("class-report", "one HTML page (plotly) from students' hand-in CSVs: CSV... [-o FILE.html]",
     classreport.run, classreport.add_arguments),
    ("hash-answer", "the accept_sha256 value for a short answer: LESSON EXERCISE ANSWER", _run_hash, _hash_arguments),
    ("grading-report", "per exercise type: keys that turn on the workbook's own readings and whether both answers are "
     "accepted; late counterexamples; unfound facts asked (exit 1 if a target is missed)", _run_report,
     _report_arguments),
)
