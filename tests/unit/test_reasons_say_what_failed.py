"""What the engine tells a student about a failed test names what failed (held-out check, 2026-12):
custody that fails on another element is not called "no custody", and the requirement of an element's
other route (professional judgment, for the involuntarily committed) is not said to be the element's."""
from datetime import date

import pytest

from helpers import evaluate
from helpers.facts import Facts
from helpers.law import law

L = law()
FOSTER = L.precedents["taylor_v_ledbetter_1987"].fact_pattern().with_(
    awareness="none", culpability="negligence", harm_foreseeable=False, danger_effect="increased",
    conduct_date=date(2001, 1, 1), decision_date=date(2004, 6, 1))


def test_custody_that_fails_on_the_state_of_mind_is_not_called_no_custody():
    a = evaluate(FOSTER)
    assert a.special_relationship.elements[0].met and not a.special_relationship.met
    assert not a.baseline.startswith("No custody") and a.baseline.startswith("Custody, but")
    assert evaluate(FOSTER.with_(custody="none")).baseline.startswith(("No custody", "Neither exception"))


def test_an_elements_other_route_is_said_as_a_route_not_as_what_the_element_needs():
    why = evaluate(FOSTER).special_relationship.elements[1].why
    assert "this element needs involuntarily committed" not in why
    assert "other route needs custody: involuntarily committed" in why
    assert "deliberate indifference" in why  # the element's own reason comes first


@pytest.mark.parametrize("circuit", sorted(c for c in L.circuits))
@pytest.mark.parametrize("custody", ["prison", "arrest", "foster_care", "involuntary_commitment", "school"])
def test_no_answer_says_no_custody_where_there_was_custody(circuit, custody):
    f = FOSTER.with_(circuit=circuit, custody=custody, danger_effect="none", act_kind="none")
    a = evaluate(f)
    assert "No custody" not in a.baseline, (circuit, custody, a.baseline)
