"""Fact patterns: what people type is accepted, and every mistake gets one clear line."""
from datetime import date

import pytest

from helpers.facts import FactError, circuit_id, parse_facts, parse_text

BASE = {"conduct_date": "2015-06-01", "decision_date": "2018-06-01"}


@pytest.mark.parametrize("typed, expected", [
    ("ca9", "ca9"), ("9th", "ca9"), ("9", "ca9"), (9, "ca9"), ("Ninth Circuit", "ca9"), ("NINTH", "ca9"),
    ("1st", "ca1"), ("2d", "ca2"), ("2nd", "ca2"), ("3rd Cir.", "ca3"), ("11th", "ca11"), ("ca11", "ca11"),
    ("D.C.", "cadc"), ("dc", "cadc"), ("D.C. Circuit", "cadc"), ("cadc", "cadc"),
    ("12th", None), ("0", None), ("tenthish", None), (True, None), (None, None),
])
def test_circuit_forms_people_type(typed, expected):
    assert circuit_id(typed) == expected


def test_defaults_fill_what_is_left_out():
    f = parse_facts(dict(BASE, circuit="9th"))
    assert f.circuit == "ca9" and f.custody == "none" and f.victim_scope == "public_at_large"
    assert f.culpability == "negligence" and f.generality == "default" and f.assume_recognized is False


def test_decision_date_defaults_to_today():
    f = parse_facts({"conduct_date": "2015-06-01"}, today=date(2026, 1, 2))
    assert f.decision_date == date(2026, 1, 2)


@pytest.mark.parametrize("bad, field, value_shown, allowed_hint", [
    ({"custody": "jail"}, "custody", "'jail'", "prison"),
    ({"act_kind": "shoved"}, "act_kind", "'shoved'", "stranded_victim"),
    ({"promise_to_victim": "yes"}, "promise_to_victim", "'yes'", "true or false"),
    ({"victim_relied": 1}, "victim_relied", "1", "true or false"),
    ({"conduct_date": "1998-9-24"}, "conduct_date", "'1998-9-24'", "YYYY-MM-DD"),
    ({"decision_date": "2018-02-30"}, "decision_date", "'2018-02-30'", "YYYY-MM-DD"),
    ({"circuit": "12th"}, "circuit", "'12th'", "ca1"),
    ({"generality": "vague"}, "generality", "'vague'", "particularized"),
    ({"mood": "angry"}, "mood", "", "allowed fields"),
])
def test_each_bad_value_is_one_line_naming_field_value_and_allowed(bad, field, value_shown, allowed_hint):
    with pytest.raises(FactError) as err:
        parse_facts(dict(BASE, **bad))
    assert len(err.value.problems) == 1
    line = err.value.problems[0]
    assert line.startswith(field + ":") and value_shown in line and allowed_hint in line


def test_every_problem_is_reported_at_once():
    with pytest.raises(FactError) as err:
        parse_facts({"custody": "jail", "culpability": "evil", "conduct_date": "soon"})
    fields = [p.split(":")[0] for p in err.value.problems]
    assert fields == ["custody", "culpability", "conduct_date"]


def test_decision_before_conduct_is_an_error():
    with pytest.raises(FactError) as err:
        parse_facts({"conduct_date": "2018-06-01", "decision_date": "2015-06-01"})
    assert "decision_date" in err.value.problems[0] and "before the conduct_date" in err.value.problems[0]


def test_signalled_impunity_needs_an_assurance():
    with pytest.raises(FactError) as err:
        parse_facts(dict(BASE, act_kind="signalled_impunity"))
    assert "assurance_to_assailant" in err.value.problems[0]
    assert parse_facts(dict(BASE, act_kind="signalled_impunity", assurance_to_assailant="implicit"))


def test_missing_conduct_date_and_circuit():
    with pytest.raises(FactError) as err:
        parse_facts({}, need_circuit=True)
    assert [p.split(":")[0] for p in err.value.problems] == ["conduct_date", "circuit"]


@pytest.mark.parametrize("text, needle", [
    ("{not json", "not valid JSON"),
    ("custody: [unclosed", "not valid YAML"),
    ("", "empty"),
    ("custody: prison\ncustody: arrest\n", "duplicate key 'custody'"),
    ("[1, 2]", "one object"),
])
def test_malformed_text_is_reported_plainly(text, needle):
    with pytest.raises(FactError) as err:
        parse_facts(parse_text(text, "facts.yaml"))
    assert needle in " ".join(err.value.problems)


def test_yaml_and_json_say_the_same_thing():
    yaml_text = "circuit: 9th\nconduct_date: 1998-09-24\ndecision_date: 2006-03-07\ncustody: prison\n"
    json_text = '{"circuit": "9th", "conduct_date": "1998-09-24", "decision_date": "2006-03-07", "custody": "prison"}'
    assert parse_facts(parse_text(yaml_text)) == parse_facts(parse_text(json_text))
