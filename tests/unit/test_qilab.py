"""The qualified-immunity lab driven headless: the conduct date against the law of the day,
the two prongs apart, and the case a student cites checked the way the other side would."""
from __future__ import annotations

import re
from datetime import date

import pytest

from helpers import FactError, compare, evaluate
from helpers.cases import find_case
from helpers.immunity import on_point
from helpers.law import law
from helpers.qilab import precedent_options, qi_lab
from helpers.rendering import NO, YES

KENNEDY = find_case("kennedy_v_ridgefield_2006").facts
WOOD_DECIDED = "1989-06-27"


@pytest.fixture()
def lab():
    return qi_lab()


def prong(html: str, field: str) -> str:
    return re.search(rf'data-field="{field}".*?<b>([{YES}{NO}][^<]*)</b>', html).group(1)


def test_default_is_kennedy_with_the_majoritys_options_and_the_test_classes(lab):
    assert lab.facts == KENNEDY and lab.facts.generality == "default"
    assert "deshaney-qi-lab" in lab._dom_classes
    assert "deshaney-conduct-date" in lab.conduct_date._dom_classes
    assert "deshaney-qi-result" in lab.result._dom_classes
    assert "deshaney-precedent-pick" in lab.precedent_pick._dom_classes
    assert "deshaney-on-point" in lab.on_point_panel._dom_classes
    a = evaluate(KENNEDY)
    assert prong(lab.result.value, "violation") == f"{YES} violation"
    assert prong(lab.result.value, "clearly_established") == f"{YES} clearly established"
    assert "Rests on: Wood v. Ostrander" in lab.result.value
    assert a.clearly_established_basis.precedents[0] == "wood_v_ostrander_1989"


def test_prongs_are_dated_apart(lab):
    html = lab.result.value
    assert "(law on the decision date, 2006-03-07)" in html
    assert "(law on the conduct date, 1998-09-24)" in html


# Kennedy's facts with an act of another kind (Kennedy still relied on the promise): no case
# anywhere had held like conduct unlawful before Wood, even by the Ninth Circuit's "whatever
# decisional law is available" (Capoeman); conduct on the day Wood was decided is not yet governed
# by it (an official cannot know a case decided that day); a year later Wood decides it.
KENNEDY_LIKE = {"act_kind": "other"}


@pytest.mark.parametrize("conduct,established", [
    ("1988-06-27", False), (WOOD_DECIDED, False), ("1990-06-27", True),
])
def test_conduct_date_across_wood_flips_clearly_established(lab, conduct, established):
    lab.set(**KENNEDY_LIKE)
    lab.conduct_date.value = conduct  # as a student types it
    expected = evaluate({**KENNEDY.to_dict(), **KENNEDY_LIKE, "conduct_date": conduct})
    assert expected.clearly_established is established
    assert expected.violation is True
    text = f"{YES} clearly established" if established else f"{NO} not clearly established"
    assert prong(lab.result.value, "clearly_established") == text
    assert prong(lab.result.value, "violation") == f"{YES} violation", "prong one is the decision date's law"
    assert lab.figure.layout.shapes[0].x0 == conduct


def test_with_kennedys_own_facts_before_wood_one_case_elsewhere_about_another_act_is_not_enough(lab):
    # Capoeman: one case elsewhere is not a settled rule; a lone case about another kind of act
    # (a car lent to a trusty, where Kennedy's officer told the assailant's family) is no warning.
    lab.set(conduct_date="1989-06-26")
    assert prong(lab.result.value, "clearly_established") == f"{NO} not clearly established"
    assert "Cases from 1 other circuit(s) had" in lab.result.value
    lab.set(conduct_date="1990-06-27")
    assert "Rests on: Wood v. Ostrander" in lab.result.value


def test_the_year_slider_moves_the_conduct_date(lab):
    lab.conduct_year.value = 1988
    assert lab.facts.conduct_date == date(1988, 9, 24)
    assert lab.conduct_date.value == "1988-09-24"
    lab.conduct_date.value = "2001-01-02"
    assert lab.conduct_year.value == 2001


def test_picking_wood_under_particularized_is_not_on_point_for_the_mechanism(lab):
    lab.set(generality="particularized")
    html = lab.pick("wood_v_ostrander_1989")
    assert html == lab.on_point_panel.value
    assert f"{NO} Not on point" in html
    assert '<li data-check="same_mechanism" class="dsh-no">' in html
    assert "in Wood the state put the victim in a danger she would not otherwise have faced; " \
           "here the state told, armed, released or emboldened the assailant" in html
    # but Grubbs is: the Kennedy majority's alternative holding
    assert prong(lab.result.value, "clearly_established") == f"{YES} clearly established"
    assert "Rests on: L.W. v. Grubbs" in lab.result.value


def test_picking_grubbs_under_particularized_is_on_point(lab):
    lab.set(generality="particularized")
    html = lab.pick("l_w_v_grubbs_1992")
    assert f"{YES} On point" in html and "lower her guard" in html


def test_picking_nicholas_shows_bybees_point(lab):
    html = lab.pick("nicholas_v_wallenstein_2001")
    assert f"{NO} Not on point" in html
    assert '<li data-check="decided_before_conduct" class="dsh-no">' in html
    assert '<li data-check="held_violation" class="dsh-no">' in html
    assert "a case on point is not needed" in html  # Kennedy's majority judged it generally


@pytest.mark.parametrize("pid", ["wood_v_ostrander_1989", "l_w_v_grubbs_1992", "nicholas_v_wallenstein_2001",
                                 "dwares_v_city_of_new_york_1993"])
def test_on_point_panel_says_what_on_point_says(lab, pid):
    L = law()
    lab.set(generality="particularized")
    html = lab.pick(pid)
    op = on_point(L, L.circuits["ca9"], L.precedents[pid], lab.facts)
    for check in op.checks:
        assert f'<li data-check="{check.id}" class="{"dsh-yes" if check.passed else "dsh-no"}">' in html
    assert html.count("<li>") == len(op.distinctions)


def test_changing_the_forum_reorders_the_picker_and_keeps_the_pick(lab):
    lab.pick("wood_v_ostrander_1989")
    lab.circuit.value = "ca2"
    assert lab.precedent_pick.options[1][1].startswith("doe_v_new_york")
    assert lab.precedent_pick.value == "wood_v_ostrander_1989"
    assert "It is persuasive only" in lab.on_point_panel.value
    assert '<tr data-circuit="ca2" class="dsh-forum">' in lab.all_circuits.value


def test_all_circuits_show_both_prongs_as_compare_says(lab):
    lab.set(generality="particularized")
    for a in compare(lab.facts).results:
        row = re.search(rf'<tr data-circuit="{a.circuit}"[^>]*>(.*?)</tr>', lab.all_circuits.value).group(1)
        assert (f"{YES} violation" if a.violation else f"{NO} no violation") in row
        assert (f"{YES} clearly established" if a.clearly_established else f"{NO} not clearly established") in row


@pytest.mark.parametrize("decision,order,words", [
    ("1999-01-01", "none", "No rule of order yet"),
    ("2006-03-07", "mandatory", "Saucier"),
    ("2012-01-01", "discretionary", "Pearson"),
])
def test_order_follows_the_decision_date(lab, decision, order, words):
    lab.decision_date.value = decision
    assert f'data-order="{order}"' in lab.result.value and words in lab.result.value


def test_pearson_without_clear_law_warns_that_the_law_stops_growing(lab):
    lab.set(decision_date="2012-01-01", generality="particularized", promise_to_victim=False)
    assert prong(lab.result.value, "clearly_established") == f"{NO} not clearly established"
    assert "the law stops growing" in lab.result.value


def test_default_generality_names_the_case_in_force(lab):
    lab.generality.value = "default"
    assert 'data-generality="general"' in lab.result.value and "Hope" in lab.result.value
    lab.set(decision_date="2019-01-01")
    assert 'data-generality="particularized"' in lab.result.value and "al-Kidd" in lab.result.value
    assert "the workbook's own reading" in lab.result.value


@pytest.mark.parametrize("field,bad", [("conduct_date", "1998-02-30"), ("decision_date", "1990-01-01"),
                                       ("conduct_date", "")])
def test_bad_dates_give_a_message_not_an_exception(lab, field, bad):
    before = lab.result.value
    getattr(lab, field).value = bad
    beside = lab.box_messages[field].value  # beside the box typed in, not under the lab
    assert "dsh-error" in beside and "(" + field + ")" in beside and "press Enter" in beside
    assert lab.message.value == ""
    assert lab.result.value == before and lab.facts == KENNEDY
    assert "Stale: fix the date" in lab.stale.banner.value and "deshaney-stale" in lab.result._dom_classes


def test_set_rejects_bad_values(lab):
    with pytest.raises(FactError):
        lab.set(generality="vague")
    assert lab.facts == KENNEDY


def test_one_redraw_per_change(lab):
    n = lab.updates
    lab.set(conduct_date="1995-01-01", generality="particularized", circuit="ca5")
    assert lab.updates == n + 1
    lab.set(conduct_date="1995-01-01")
    assert lab.updates == n + 1


def test_load_case_and_picker_lists_the_forum_first(lab):
    lab.load_case("mcclendon_v_city_of_columbia_2002:parker_dissent")
    assert lab.facts.circuit == "ca5" and lab.facts.assume_recognized
    assert lab.assume_recognized.value is True
    options = precedent_options("ca5")
    assert options[0][1] == "" and law().precedents[options[1][1]].court == "ca5"



def test_the_cite_menu_says_which_cases_were_later_undone():
    """Kennedy 2005 (withdrawn) beside Kennedy 2006: never two bare captions for one case."""
    from helpers.law import DEAD_EVENTS, later_history

    options = dict((value, label) for label, value in precedent_options("ca9"))
    for pid, label in options.items():
        if pid:
            p = law().precedents[pid]
            if p.dead_events():
                assert label.endswith(" - " + later_history(p)), label
            else:
                assert not any(f" - {w} " in label for w in DEAD_EVENTS), label
    assert options["kennedy_v_ridgefield_2005"].endswith("- withdrawn 2006 (see the 2006 opinion)")
    assert options["kennedy_v_ridgefield_2006"] == "Kennedy v. City of Ridgefield (9th Cir. 2006)"

def test_lab_from_facts_and_presentation():
    lab = qi_lab(facts={"circuit": "ca2", "conduct_date": "2000-01-01", "decision_date": "2005-12-09"},
                 presentation=True)
    assert lab.facts.circuit == "ca2" and "deshaney-presentation" in lab._dom_classes


# --- loading any case, McClendon included; an unknown conduct date stays unknown ------------

def test_the_case_menu_loads_mcclendon_majority_and_parker(lab):
    assert "deshaney-qi-case-menu" in lab.case_menu._dom_classes
    ids = [v for _, v in lab.case_menu.options]
    assert "mcclendon_v_city_of_columbia_2002" in ids and "mcclendon_v_city_of_columbia_2002:parker_dissent" in ids
    lab.case_menu.value = "mcclendon_v_city_of_columbia_2002"
    majority = find_case("mcclendon_v_city_of_columbia_2002").facts
    assert lab.facts == majority and lab.circuit.value == "ca5" and lab.conduct_date.value == "1993-07-01"
    assert prong(lab.result.value, "clearly_established") == f"{NO} not clearly established"
    lab.case_menu.value = "mcclendon_v_city_of_columbia_2002:parker_dissent"
    assert lab.facts == find_case("mcclendon_v_city_of_columbia_2002:parker_dissent").facts
    assert prong(lab.result.value, "clearly_established") == f"{YES} clearly established"
    lab.set(conduct_date="1985-01-01")  # the student's own facts now: the menu clears
    assert lab.case_menu.value == ""


def test_every_case_loads_in_the_qi_lab():
    lab = qi_lab()
    for _, cid in lab.case_menu.options[1:]:
        lab.case_menu.value = cid
        assert lab.facts == find_case(cid).facts, cid
        assert lab.message.value == "", cid


def test_an_unknown_conduct_date_is_shown_as_unknown_not_as_the_decision_date():
    from helpers.cases import cases

    case = next(c for c in cases() if not c.conduct_known and c.precedent == "rivera_v_rhode_island_2005")
    assert law().precedents[case.precedent].conduct is None
    lab = qi_lab(case=case.id)
    decided = case.facts.decision_date.isoformat()
    assert lab.conduct_date.value == "" and "unknown" in lab.conduct_date.placeholder
    assert 'data-conduct="unknown"' in lab.result.value and f"law on the conduct date, {decided})" not in lab.result.value
    assert 'data-conduct="unknown"' in lab.case_notice.value
    assert lab.facts.conduct_date == case.facts.decision_date  # the stand-in, for the engine
    assert lab.figure.layout.annotations[0].text == "conduct date unknown"
    lab.set(decision_date="2006-01-01")
    assert lab.facts.conduct_date.isoformat() == "2006-01-01"  # still standing in, following the decision
    assert lab.figure.layout.annotations[0].text == "conduct date unknown"
    lab.set(conduct_date="2004-05-01")  # a date the student knows: no longer unknown
    assert lab.conduct_date.value == "2004-05-01" and lab.case_notice.value == ""
    assert "law on the conduct date, 2004-05-01)" in lab.result.value
    assert lab.figure.layout.annotations[0].text == "conduct 2004-05-01"
    lab.load_case("kennedy_v_ridgefield_2006")  # a known date again
    assert lab.conduct_date.value == "1998-09-24" and lab.case_notice.value == ""


def test_pick_shows_as_html_at_the_end_of_a_cell(lab):
    shown = lab.pick("wood_v_ostrander_1989")
    assert isinstance(shown, str) and "Wood" in shown
    assert shown._repr_html_() == str(shown)
    lab.pick(None)


def test_no_checkbox_label_is_cut_short():
    """At ipywidgets' default width a checkbox's label ends in an ellipsis: every checkbox of the lab
    sizes to its label."""
    import ipywidgets as widgets

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    boxes = [w for w in walk(qi_lab()) if isinstance(w, widgets.Checkbox)]
    assert len(boxes) >= 2
    assert all(b.layout.width == "auto" for b in boxes), [b.description for b in boxes if b.layout.width != "auto"]
