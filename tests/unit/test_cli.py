"""The command line, run as a user would: JSON out on success, one line per problem on error."""
import json
import subprocess
import sys

import pytest

from helpers import CIRCUITS

KENNEDY = {
    "circuit": "9th", "conduct_date": "1998-09-24", "decision_date": "2006-03-07",
    "act_kind": "disclosed_to_assailant", "promise_to_victim": True, "victim_relied": True,
    "danger_effect": "created", "victim_scope": "specific_person", "awareness": "actual",
    "culpability": "deliberate_indifference", "harm_foreseeable": True, "but_for_cause": True,
    "generality": "general",
}


def run(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "helpers", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_evaluate_from_stdin_answers_the_contract_shape():
    out = run("evaluate", "-", stdin=json.dumps(KENNEDY))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["circuit"] == "ca9" and answer["conduct_date"] == "1998-09-24"
    assert answer["violation"] is True and answer["clearly_established"] is True
    assert answer["qualified_immunity"] is False
    assert answer["state_created_danger"]["recognized"] is True
    for element in answer["state_created_danger"]["elements"]:
        assert set(element) == {"id", "label", "met", "why", "authority"}
        assert element["why"] and element["authority"]
    assert {"name", "citation", "court", "decided"} <= set(answer["authorities"][0])


def test_compare_answers_twelve_circuits_in_order_each_element_with_authority(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("conduct_date: 1998-09-24\ndecision_date: 2006-03-07\nact_kind: disclosed_to_assailant\n")
    out = run("compare", str(path))
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)["results"]
    assert [r["circuit"] for r in results] == list(CIRCUITS)
    for r in results:
        for theory in ("special_relationship", "state_created_danger"):
            assert all(e["authority"] for e in r[theory]["elements"])


def test_flips_lists_changes_per_circuit():
    out = run("flips", "-", stdin=json.dumps(KENNEDY))
    assert out.returncode == 0, out.stderr
    flips = json.loads(out.stdout)
    assert set(flips) == set(CIRCUITS)
    assert any(f["fact"] == "culpability" for f in flips["ca9"])


@pytest.mark.parametrize("stdin, needles", [
    ('{"circuit": "9th", "conduct_date": "1998-09-24", "custody": "jail"}', ["custody", "'jail'", "prison"]),
    ('{"circuit": "9th", "conduct_date": "1998-09-24", "color": "red"}', ["color", "unknown field"]),
    ('{"circuit": "9th", "conduct_date": "24/09/1998"}', ["conduct_date", "YYYY-MM-DD"]),
    ('{"circuit": "9th", "conduct_date": "2006-03-07", "decision_date": "1998-09-24"}', ["decision_date", "before"]),
    ('{"circuit": "9th", "conduct_date": ', ["not valid JSON"]),
    ("circuit: 9th\nconduct_date: [", ["not valid YAML"]),
    ('{"conduct_date": "1998-09-24"}', ["circuit", "missing"]),
])
def test_bad_input_exits_2_with_nothing_on_stdout_and_no_traceback(stdin, needles):
    out = run("evaluate", "-", stdin=stdin)
    assert out.returncode == 2
    assert out.stdout == ""
    assert "Traceback" not in out.stderr
    for needle in needles:
        assert needle in out.stderr


def test_missing_file_is_a_clear_error():
    out = run("compare", "/no/such/facts.json")
    assert out.returncode == 2 and out.stdout == "" and "no such file" in out.stderr


def test_several_problems_one_line_each():
    out = run("evaluate", "-", stdin='{"circuit": "9th", "conduct_date": "1998-09-24", "custody": "jail", "awareness": "psychic"}')
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 2
