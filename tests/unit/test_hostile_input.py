"""Hostile input, one test per defect class of issue 10: every file or stream a person supplies
(facts on the command line, exercise banks, hypotheticals, data files) is refused with exit 2 or a
DataError/FactError, one short line per problem that begins with its location, quickly, and never
a traceback."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from helpers import law as law_module
from helpers import loading
from helpers.exercises import check_lessons, load_hypotheticals
from helpers.facts import Facts, FactError, facts_from_text, parse_facts
from helpers.loading import DataError, load_json_text, load_yaml_file, load_yaml_text

ROOT = Path(__file__).resolve().parents[2]
GOOD = "conduct_date: 1998-09-24\ndecision_date: 2006-03-07\n"
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
LOCATED = re.compile(r"^[^\s:][^:]*:\d+: \S")  # file:line: message


def run(*args, stdin: bytes = b"", timeout: float = 60):
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "helpers", *args], input=stdin, capture_output=True,
                         timeout=timeout, cwd=ROOT)
    return out, time.monotonic() - start


def assert_refused(out, elapsed: float, *needles: str, located: bool = True) -> list[str]:
    """The contract: exit 2, nothing on stdout, short located lines, no traceback, quick."""
    err = out.stderr.decode("utf-8", "replace")
    assert out.returncode == 2, err
    assert out.stdout == b""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines and all(len(line) <= 600 for line in lines), lines
    if located:
        assert all(LOCATED.match(line) for line in lines if not line.startswith(("...", "check-lessons:"))), lines
        assert not any(line.startswith("?:0") for line in lines)
    assert elapsed < 20, f"took {elapsed:.1f}s"  # generous: a bomb used to take minutes or all memory
    for needle in needles:
        assert needle in err, err
    return lines


def refused(text: str | bytes, source: str = "t.yaml") -> list[str]:
    """In process: facts text through the same path as the command line."""
    data = text if isinstance(text, bytes) else text.encode()
    with pytest.raises((FactError, DataError)) as err:
        facts_from_text(loading.decode(data, source), source)
    lines = err.value.problems
    assert all("\n" not in line and LOCATED.match(line) for line in lines), lines
    return lines


# --- 2. encodings ------------------------------------------------------------------------

@pytest.mark.parametrize("data, needle", [
    (b"\xff", "stdin:1: byte 0 (0xff) is not UTF-8"),
    ("conduct_date: 1998-09-24\nact_kind: d\xe9\n".encode("latin-1"), "stdin:2: byte 36 (0xe9) is not UTF-8"),
    (("\ufeff" + GOOD).encode("utf-16"), "stdin:1: the text is UTF-16; save it as UTF-8"),
    (b"conduct_date: 1998-09-24\x00\n", "stdin:1: character U+0000 at column 25"),
])
def test_bytes_that_are_not_utf8_text_are_named_by_line_and_offset(data, needle):
    lines = assert_refused(*run("compare", "-", stdin=data), needle)
    assert len(lines) == 1


def test_a_utf8_bom_is_fine():
    out, _ = run("evaluate", "-", stdin=b"\xef\xbb\xbfcircuit: 9th\n" + GOOD.encode())
    assert out.returncode == 0, out.stderr


def test_a_bank_and_hypotheticals_in_latin1_are_refused_with_their_line(tmp_path):
    bank = tmp_path / "l" / "exercises.yaml"
    bank.parent.mkdir()
    bank.write_bytes((ROOT / "lessons/01_deshaney/exercises.yaml").read_bytes() + "\n# caf\xe9\n".encode("latin-1"))
    (bank.parent / "guide.md").write_text("guide")
    report = check_lessons([bank])
    assert len(report.problems) == 1 and "is not UTF-8" in report.problems[0]
    assert LOCATED.match(report.problems[0])
    hypo = tmp_path / "hypotheticals.yaml"
    hypo.write_bytes(b"hypotheticals:\n  - id: caf\xe9\n")
    with pytest.raises(DataError, match=r"hypotheticals.yaml:2: byte \d+ \(0xe9\) is not UTF-8"):
        load_hypotheticals(hypo)


# --- 3. YAML anchors that expand -------------------------------------------------------------

def test_a_billion_laughs_is_refused_fast_everywhere(tmp_path):
    start = time.monotonic()
    with pytest.raises(DataError, match="aliases"):
        load_yaml_text(LAUGHS, "bomb.yaml")
    assert time.monotonic() - start < 5
    assert_refused(*run("compare", "-", stdin=LAUGHS.encode()), "aliases")
    (tmp_path / "exercises.yaml").write_text(LAUGHS)
    (tmp_path / "guide.md").write_text("guide")
    assert_refused(*run("check-lessons", str(tmp_path / "exercises.yaml")), "aliases")


def test_a_few_aliases_are_still_fine():
    assert load_yaml_text("a: &x [1, 2]\nb: *x\n", "t") == {"a": [1, 2], "b": [1, 2]}


def test_a_recursive_alias_is_refused():
    with pytest.raises(DataError, match=r"t.yaml:1: an alias refers to the value that contains it"):
        load_yaml_text("a: &a [*a]\n", "t.yaml")


# --- 4. deep nesting and huge numbers --------------------------------------------------------

@pytest.mark.parametrize("data, needle", [
    (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested more than"),
    (b"a: " + b"[" * 100_000 + b"]" * 100_000, "nest"),  # libyaml's own limit may speak first
    (b"- " * 50_000 + b"x\n", "nested more than"),
    (b'{"conduct_date": ' + b"9" * 100_000 + b"}", "digits long"),
    (b"conduct_date: " + b"9" * 100_000 + b"\n", "digits long"),
])
def test_deep_nesting_and_huge_integers_are_refused(data, needle):
    assert_refused(*run("compare", "-", stdin=data), needle)


# --- 5. dates that are timestamps; Facts built directly ----------------------------------

def test_yaml_timestamps_are_a_date_or_a_clear_message():
    assert load_yaml_text("d: !!timestamp 2006-03-07\n", "t") == {"d": "2006-03-07"}
    assert refused("conduct_date: !!timestamp 1998-09-24 10:00:00\n") == [
        "t.yaml:1: '1998-09-24 10:00:00' is a timestamp; write a date as YYYY-MM-DD"]
    assert "t.yaml:1:" in refused("conduct_date: !!timestamp nope\n")[0]


def test_datetimes_and_pandas_timestamps_given_to_the_api_are_their_dates():
    pd = pytest.importorskip("pandas")
    f = parse_facts({"conduct_date": datetime(1998, 9, 24, 10, 30), "decision_date": pd.Timestamp("2006-03-07")})
    assert f.conduct_date == date(1998, 9, 24) and type(f.conduct_date) is date
    assert f.decision_date == date(2006, 3, 7) and type(f.decision_date) is date
    g = Facts(conduct_date=pd.Timestamp("1998-09-24 12:00"), decision_date=datetime(2006, 3, 7))
    assert type(g.conduct_date) is date and g.conduct_date < g.decision_date


def test_facts_built_directly_are_checked():
    with pytest.raises(FactError, match="custody: value 'jail' is not allowed"):
        Facts(conduct_date=date(1998, 9, 24), decision_date=date(2006, 3, 7), custody="jail")
    with pytest.raises(FactError, match="conduct_date: value '24/09/1998' is not a date"):
        Facts(conduct_date="24/09/1998", decision_date=date(2006, 3, 7))
    assert Facts(conduct_date="1998-09-24", decision_date=date(2006, 3, 7)).conduct_date == date(1998, 9, 24)
    with pytest.raises(FactError, match="victim_relied"):
        Facts(conduct_date=date(1998, 9, 24), decision_date=date(2006, 3, 7), victim_relied="yes")
    assert Facts(conduct_date=date(1998, 9, 24), decision_date=date(2006, 3, 7), circuit="9th").circuit == "ca9"


# --- 6. unhashable keys; list-valued expect items ------------------------------------------

@pytest.mark.parametrize("text", ["? [a, b]\n: 1\nconduct_date: 1998-09-24\n", "{[a]: 1}\n", "? {a: 1}\n: 2\n"])
def test_a_key_that_is_a_list_or_mapping_is_refused(text):
    assert refused(text)[0].startswith("t.yaml:1: a key must be a name, not a")


def test_a_list_inside_expect_is_a_message_not_a_type_error(tmp_path):
    folder = tmp_path / "l"
    folder.mkdir()
    (folder / "guide.md").write_text("guide")
    text = (ROOT / "lessons/01_deshaney/exercises.yaml").read_text()
    old = "expect: [third_party_or_peril, conscience_shocking]"
    assert old in text
    (folder / "exercises.yaml").write_text(text.replace(old, "expect: [[a], third_party_or_peril]"))
    report = check_lessons([folder / "exercises.yaml"])
    assert len(report.problems) == 1
    assert re.match(r".*exercises.yaml:\d+: an exercise key 'expect': each item must be an id \(text\), not a list",
                    report.problems[0])


# --- 7. a location on every message ----------------------------------------------------------

@pytest.mark.parametrize("text, needle", [
    ("", "t.yaml:1: the file is empty (or only comments)"),
    ("# nothing here\n\n", "t.yaml:1: the file is empty (or only comments)"),
    ("\n\nhello\n", "t.yaml:3: the file holds text; expected a mapping"),
    ("# top\n- a\n- b\n", "t.yaml:2: the file holds a list; expected a mapping"),
])
def test_a_file_that_is_not_a_mapping_has_a_real_location(tmp_path, text, needle):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        load_yaml_file(path)
    line, message = needle.split(":", 2)[1:]
    assert err.value.problems[0].startswith(f"{path}:{line}:{message}") and ":0:" not in str(err.value)


def test_a_scalar_where_an_exercise_belongs_is_located(tmp_path):
    path = tmp_path / "exercises.yaml"
    path.write_text("lesson: l\ntitle: t\nexercises:\n  - 3\n  - [a]\n")
    problems = check_lessons([path]).problems
    assert f"{path}:4: an exercise must be a mapping (key: value), not a number" in problems
    assert f"{path}:5: an exercise must be a mapping (key: value), not a list" in problems
    assert not any(p.startswith("?") for p in problems)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    target = tmp_path / "data"
    shutil.copytree(law_module.DATA_DIR, target)
    from helpers import facts as facts_module
    for module in (law_module, facts_module, loading):
        monkeypatch.setattr(module, "DATA_DIR", target)
    facts_module.facts_file.cache_clear()
    facts_module.vocabulary.cache_clear()
    yield target
    facts_module.facts_file.cache_clear()
    facts_module.vocabulary.cache_clear()


def _load_law():
    return law_module.law.__wrapped__()


@pytest.mark.parametrize("text, needle", [
    ("groups: []\nfacts:\n  circuit: 3\n", "data/facts.yaml:3: fact 'circuit' must be a mapping"),
    ("groups: []\n", "data/facts.yaml:1: 'facts' must be a mapping, not nothing"),
    ("{groups: [], facts: {x: {group: g, label: X, kind: colour}}}", "'colour' is not a kind"),
    ("groups:\n - 7\nfacts: {}\n", "data/facts.yaml:2: a fact group must be a mapping"),
])
def test_a_broken_facts_yaml_is_blamed_on_itself_once(data_copy, text, needle):
    (data_copy / "facts.yaml").write_text(text)
    with pytest.raises(DataError) as err:
        _load_law()
    assert needle in str(err.value)
    assert all("facts.yaml" in p for p in err.value.problems)
    assert "precedents" not in str(err.value)


def test_an_unknown_precedent_is_reported_at_its_own_line(data_copy):
    path = data_copy / "circuits/ca9.yaml"
    text = path.read_text()
    old = '{case: munger_v_city_of_glasgow_2000, pin: "1086"}'
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, "{case: munger_v_glasgow_2000}", 1))
    with pytest.raises(DataError) as err:
        _load_law()
    assert f"data/circuits/ca9.yaml:{line}: cites unknown precedent 'munger_v_glasgow_2000'" in err.value.problems


@pytest.mark.parametrize("data", [b"\xff\xfe garbage", LAUGHS.encode(), b"", b"- a\n", b"a: [1\n"])
def test_a_broken_data_file_is_located_never_a_traceback(data_copy, data):
    (data_copy / "precedents/ca9.yaml").write_bytes(data)
    with pytest.raises(DataError) as err:
        _load_law()
    assert all(p.startswith("data/precedents/ca9.yaml:") for p in err.value.problems), err.value.problems


def test_a_folder_in_place_of_a_data_file(data_copy):
    (data_copy / "precedents/ca9.yaml").unlink()
    (data_copy / "precedents/ca9.yaml").mkdir()
    with pytest.raises(DataError, match="data/precedents/ca9.yaml: is a folder; expected a file"):
        _load_law()


# --- 10. smaller ----------------------------------------------------------------------------

def test_a_huge_value_or_many_unknown_keys_are_not_echoed_in_full():
    big = json.dumps({"conduct_date": "x" * 900_000}).encode()
    lines = assert_refused(*run("compare", "-", stdin=big), "conduct_date")
    assert len(lines) == 1 and len(lines[0]) < 300
    many = ("\n".join(f"k{i}: 1" for i in range(100_000)) + "\nconduct_date: 1998-09-24\n").encode()
    out, elapsed = run("compare", "-", stdin=many)
    lines = assert_refused(out, elapsed, "more unknown fields")
    assert len(out.stderr) < 5_000
    assert_refused(*run("compare", "-", stdin=b"a: " + b"x" * 5_000_000), "stdin: too large", located=False)


def test_a_yaml_flow_mapping_is_read_as_yaml():
    out, _ = run("evaluate", "-", stdin=b"{circuit: 9th, conduct_date: 1998-09-24, decision_date: 2006-03-07}")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["circuit"] == "ca9"


def test_broken_json_is_still_called_json():
    assert_refused(*run("evaluate", "-", stdin=b'{"circuit": "9th", "conduct_date": '), "stdin:1: not valid JSON")


def test_a_duplicate_json_key_is_refused_at_its_line():
    text = '{\n "conduct_date": "1998-09-24",\n "conduct_date": "1999-01-01"\n}'
    with pytest.raises(DataError) as err:
        load_json_text(text, "f.json")
    assert err.value.problems == ["f.json:3: duplicate key 'conduct_date' (first at line 2)"]


def test_a_key_with_control_characters_is_one_safe_line():
    lines = assert_refused(*run("compare", "-", stdin=b'{"\\u001b[31mred\\nX": 1, "conduct_date": "1998-09-24"}'),
                           "unknown field")
    assert len(lines) == 1 and "\x1b" not in lines[0]
    assert lines[0].endswith("assume_recognized, generality")  # what is allowed is never cut off


def test_a_folder_or_a_missing_file_given_for_the_facts(tmp_path):
    assert_refused(*run("compare", str(tmp_path)), "is a folder; expected a file", located=False)
    assert_refused(*run("compare", str(tmp_path / "none.json")), "no such file", located=False)


def test_field_problems_from_a_file_carry_the_line_of_the_field(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("circuit: 9th\nconduct_date: 1998-09-24\ncustody: jail\nawareness: psychic\n")
    lines = assert_refused(*run("evaluate", str(path)))
    assert [ln.split(": ", 1)[0] for ln in lines] == [f"{path}:3", f"{path}:4"]


def test_in_a_notebook_the_problems_show_without_a_traceback():
    # IPython calls _render_traceback_ on an exception that has one, instead of a traceback.
    with pytest.raises(DataError) as err:
        load_yaml_text("a: &a [*a]\n", "bank.yaml")
    assert err.value._render_traceback_() == [
        "DataError: 1 problem(s)", "bank.yaml:1: an alias refers to the value that contains it"]
    with pytest.raises(FactError) as ferr:
        parse_facts({"conduct_date": "x"})
    assert ferr.value._render_traceback_()[1].startswith("conduct_date: value 'x' is not a date")
