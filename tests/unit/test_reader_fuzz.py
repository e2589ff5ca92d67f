"""Fuzzing the one reading path (issue 10): random bytes, random YAML token soup and random
JSON/YAML structures, as fact patterns, exercise banks and hypotheticals. Every input is either
accepted or refused with FactError/DataError whose every problem is one short line beginning
`file:line:` -- never another exception, never a hang (hypothesis' deadline per example)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.exercises import load_bank, load_hypotheticals
from helpers.facts import FactError, facts_from_text
from helpers.loading import DataError, decode

ROOT = Path(__file__).resolve().parents[2]
LOCATED = re.compile(r"^[^\s:][^:]*:\d+: \S")
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=timedelta(seconds=3),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["1998-09-24", "9th", "ca9", "none", "created", "true"]))
FACT_KEYS = ["circuit", "conduct_date", "decision_date", "custody", "act_kind", "awareness", "culpability",
             "victim_relied", "harm_source", "generality"]
BANK_KEYS = ["id", "type", "prompt", "facts", "expect", "choices", "answer", "explain", "case", "theory",
             "circuits", "changes", "hypothetical", "accept", "opinion", "ask"]
keys = st.one_of(st.sampled_from(FACT_KEYS + BANK_KEYS), st.text(max_size=12))
structures = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                           st.dictionaries(keys, inner, max_size=6)), max_leaves=30)
TOKENS = ["&a ", "*a", "&b ", "*b", "[", "]", "{", "}", ": ", "- ", "\n", "  ", "!!timestamp ", "!!binary ",
          "!!set ", "!!int ", "!!python/object/apply:os.system ", "? ", "<<: ", "'", '"', "#", "x", "1",
          "9" * 60, ",", "\t", "conduct_date", "1998-09-24", "\x00", "\u2028", "\ufeff", "%YAML 1.1\n", "---\n",
          "...\n", "|\n", ">\n", "\\", "@", "`", "%"]
soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


def assert_contract(problems: list[str]) -> None:
    assert problems, "refused without a reason"
    for p in problems:
        assert "\n" not in p and LOCATED.match(p), p
        assert not p.startswith("?:"), p


def through_the_reader(data: bytes, source: str = "in.yaml") -> None:
    try:
        facts_from_text(decode(data, source), source)
    except (FactError, DataError) as exc:
        assert_contract(exc.problems)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    through_the_reader(data)


@FUZZ
@given(soup)
def test_random_yaml_token_soup(text):
    through_the_reader(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.one_of(structures, st.dictionaries(st.sampled_from(FACT_KEYS), scalars, max_size=8)))
def test_random_structures_as_json_and_as_yaml(value):
    through_the_reader(json.dumps(value).encode(), "in.json")
    through_the_reader(yaml.safe_dump(value, allow_unicode=True).encode(), "in.yaml")


@FUZZ
@given(st.one_of(structures, soup), st.lists(st.dictionaries(st.sampled_from(BANK_KEYS), structures, max_size=6),
                                             max_size=3))
def test_random_banks_and_hypotheticals(tmp_path_factory, junk, entries):
    folder = tmp_path_factory.mktemp("bank")
    bank = folder / "exercises.yaml"
    hypos = folder / "hypotheticals.yaml"
    top = {"lesson": "fuzz", "title": "Fuzz", "exercises": entries}
    for text in (yaml.safe_dump(top, allow_unicode=True), junk if isinstance(junk, str) else yaml.safe_dump(junk)):
        bank.write_text(text, encoding="utf-8", errors="surrogatepass")
        hypos.write_text(yaml.safe_dump({"hypotheticals": entries}) if text is not junk else text,
                         encoding="utf-8", errors="surrogatepass")
        for load in (load_bank, load_hypotheticals):
            try:
                load(bank if load is load_bank else hypos)
            except DataError as exc:
                assert_contract(exc.problems)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), soup.map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_the_command_line_never_shows_a_traceback(data):
    out = subprocess.run([sys.executable, "-m", "helpers", "compare", "-"], input=data, capture_output=True,
                         timeout=60, cwd=ROOT)
    err = out.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    if out.returncode != 0:
        assert out.returncode == 2 and out.stdout == b""
        assert_contract(err.strip().splitlines())
