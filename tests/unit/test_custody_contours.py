"""Custody at the level courts decide it (issue 19): the settled core of the custodial duty, and its
contours judged against custody cases with facts no stronger for the plaintiff."""
import pytest

from helpers import evaluate, immunity
from helpers.facts import vocabulary
from helpers.law import law

L = law()
P = L.precedents
HORTON = P["horton_v_city_of_santa_maria_2019"].fact_pattern()
COPE = P["cope_v_cogdill_2021"].fact_pattern()
CLOUTHIER = P["clouthier_v_county_of_contra_costa_2010"]


def test_the_new_facts_default_to_the_settled_core_so_no_old_answer_moves():
    v = vocabulary()
    assert v["custody_need"].default == "pressing" and v["custody_response"].default == "nothing"
    # not weighed in the danger comparison: only the custody route reads them
    assert not v["custody_need"].ordered and not v["custody_response"].ordered


def test_a_pressing_need_met_with_nothing_or_a_delay_is_settled_by_the_duty():
    for response in ("nothing", "delayed"):
        a = evaluate(HORTON.with_(custody_need="pressing", custody_response=response))
        assert a.clearly_established and a.clearly_established_basis.route == "special_relationship"
        assert "was settled" in a.clearly_established_basis.why


@pytest.mark.parametrize("changes", [dict(custody_need="not_pressing"), dict(custody_response="partial")])
def test_the_contours_need_a_case_with_facts_no_stronger(changes):
    a = evaluate(HORTON.with_(**{"custody_need": "pressing", "custody_response": "nothing", **changes}))
    basis = a.clearly_established_basis
    assert not a.clearly_established and basis.generality == "particularized"
    assert "anderson_v_creighton_1987" in basis.precedents and "483 U.S. 635, 640" in basis.why
    assert any("Interpretive" in o for o in basis.ours)


def test_a_binding_custody_case_on_point_clearly_establishes_the_contours(monkeypatch):
    # Clouthier (9th 2010) as if it had held a need that was not pressing unconstitutional
    pf = CLOUTHIER.fact_pattern().with_(custody_need="not_pressing")
    monkeypatch.setattr(immunity, "_custody_precedents", lambda: ((CLOUTHIER, pf),))
    a = evaluate(HORTON)
    assert a.clearly_established and a.clearly_established_basis.precedents == (CLOUTHIER.id,)
    # a case decided after the conduct, or about another kind of custody, does not
    assert not evaluate(HORTON.with_(conduct_date=CLOUTHIER.decided)).clearly_established
    monkeypatch.setattr(immunity, "_custody_precedents",
                        lambda: ((CLOUTHIER, pf.with_(custody="foster_care")),))
    assert not evaluate(HORTON).clearly_established
    # nor one whose response was stronger for the plaintiff than this official's
    monkeypatch.setattr(immunity, "_custody_precedents", lambda: ((CLOUTHIER, pf),))
    assert not evaluate(HORTON.with_(custody_response="partial")).clearly_established


def test_the_students_level_decides_where_chosen():
    assert evaluate(COPE.with_(generality="general")).clearly_established
    # at the particularized level even the core needs a case on point: Jacobs (5th 2000) is one
    chosen = evaluate(COPE.with_(custody_response="nothing", generality="particularized"))
    assert chosen.clearly_established and chosen.clearly_established_basis.generality == "particularized"
    assert "jacobs_v_west_feliciana_sheriffs_department_2000" in chosen.clearly_established_basis.precedents
    assert not evaluate(HORTON.with_(generality="particularized")).clearly_established
    assert evaluate(COPE.with_(custody_response="nothing")).clearly_established


def test_the_custody_facts_never_move_a_danger_case():
    kennedy = P["kennedy_v_ridgefield_2006"].fact_pattern()
    base = evaluate(kennedy)
    for need in ("pressing", "not_pressing"):
        for response in ("partial", "delayed", "nothing"):
            a = evaluate(kennedy.with_(custody_need=need, custody_response=response))
            assert (a.violation, a.clearly_established) == (base.violation, base.clearly_established)


@pytest.mark.parametrize("pid", ["youmans_v_gagnon_2010", "cope_v_cogdill_2021", "horton_v_city_of_santa_maria_2019",
                                 "camp_v_gregory_1995"])
def test_the_four_custody_cases_decided_at_the_level_of_their_facts_come_out(pid):
    p = P[pid]
    assert p.clearly_established is False
    assert evaluate(p.fact_pattern().with_(generality="default")).clearly_established is False
    # on the settled core they would have come out the other way: the new facts decide
    core = p.fact_pattern().with_(custody_need="pressing", custody_response="nothing")
    assert evaluate(core).clearly_established


def _custody_patterns():
    for p in sorted(P.values(), key=lambda p: p.id):
        f = p.fact_pattern() if p.court != "scotus" else None
        if f is not None and f.custody != "none":
            yield p.id, f.with_(generality="default")


@pytest.mark.parametrize("pid,facts", list(_custody_patterns()))
def test_facts_stronger_for_the_plaintiff_never_unsettle_the_law(pid, facts):
    """Moving the need toward pressing, or the response toward nothing, never turns 'clearly
    established' into 'not clearly established' (a property of the comparison, for every custody case)."""
    v = vocabulary()
    needs, responses = v["custody_need"].values, v["custody_response"].values
    grid = {(n, r): evaluate(facts.with_(custody_need=n, custody_response=r)).clearly_established
            for n in needs for r in responses}
    for (n, r), established in grid.items():
        if not established:
            continue
        for n2 in needs[needs.index(n):]:
            for r2 in responses[responses.index(r):]:
                assert grid[(n2, r2)], (pid, (n, r), (n2, r2))
