"""The circuit lab driven headless: move a control, and the table, the chart and the flips
panel must say exactly what compare() and flips() say for the new facts."""
from __future__ import annotations

import re
from html import escape
from datetime import date

import pytest
from asyncrun import run_in_own_loop

from helpers import compare, flips
from helpers.cases import cases, find_case
from helpers.facts import VARIABLE_FACTS, vocabulary
from helpers.rendering import NO, YES, circuit_table_html, heatmap_data
from helpers.widgets import UNKNOWN_PLACEHOLDER, answer_card, circuit_lab

KENNEDY = "kennedy_v_ridgefield_2006"


@pytest.fixture(scope="module")
def lab():
    return circuit_lab(case=KENNEDY)


def row(html: str, circuit: str) -> str:
    m = re.search(rf'<tr data-circuit="{circuit}"[^>]*>(.*?)</tr>', html)
    assert m, f"no row for {circuit}"
    return m.group(1)


def cell(html: str, circuit: str, field: str) -> str:
    m = re.search(rf'<td data-field="{field}"[^>]*>(.*?)</td>', row(html, circuit))
    assert m, f"no {field} cell for {circuit}"
    return m.group(1)


def assert_outputs_match(lab) -> None:
    """Every output agrees with the engine on the lab's current facts."""
    comparison = compare(lab.facts)
    for a in comparison.results:
        v = cell(lab.table.value, a.circuit, "violation")
        q = cell(lab.table.value, a.circuit, "qualified_immunity")
        assert v == (f"{YES} violation" if a.violation else f"{NO} no violation")
        assert q == ("immunity granted" if a.qualified_immunity else "immunity denied")
        for _, e in a.elements():
            assert f'data-element="{e.id}"' in row(lab.table.value, a.circuit)
    assert lab.figure.z == heatmap_data(comparison, lab.facts.assume_recognized)["z"]
    expected = flips(lab.facts.with_(circuit=None))
    for cid, found in expected.items():
        block = re.search(rf'<details data-circuit="{cid}"[^>]*>(.*?)</details>', lab.flips_panel.value).group(1)
        assert block.count("<li") == len(found)
        for fl in found:
            assert escape(fl.text) in block


def test_lab_has_a_control_for_every_fact_and_the_test_classes(lab):
    assert set(lab.controls) == set(vocabulary())
    for fid, w in lab.controls.items():
        assert f"deshaney-fact-{fid}" in w._dom_classes
    assert "deshaney-circuit-lab" in lab._dom_classes
    assert "deshaney-circuit-table" in lab.table._dom_classes
    assert "deshaney-flips" in lab.flips_panel._dom_classes
    assert "deshaney-case-menu" in lab.case_menu._dom_classes
    assert any("deshaney-chart" in getattr(c, "_dom_classes", ()) for c in lab.children)
    assert_outputs_match(lab)


def one_step_changes():
    """Every other value of every fact a student can move, from Kennedy's facts."""
    base = find_case(KENNEDY).facts
    vocab = vocabulary()
    out = []
    for fid in VARIABLE_FACTS:
        spec = vocab[fid]
        for v in ((True, False) if spec.kind == "flag" else spec.values):
            if v != getattr(base, fid) and not (fid == "act_kind" and v == "signalled_impunity"):
                out.append((fid, v))
    return out


@pytest.mark.parametrize("fact,value", one_step_changes())
def test_moving_a_control_redraws_every_output_as_the_engine_says(lab, fact, value):
    lab.load_case(KENNEDY)
    before = (lab.table.value, lab.updates)
    lab.controls[fact].value = value
    assert getattr(lab.facts, fact) == value
    assert lab.updates == before[1] + 1, "one redraw per change"
    assert_outputs_match(lab)
    if _shown(compare(lab.facts)) != _shown(compare(find_case(KENNEDY).facts)):
        assert lab.table.value != before[0]


def _shown(comparison):
    """What the table shows of an answer: the verdicts and each element's mark."""
    return [(a.circuit, a.violation, a.clearly_established, a.qualified_immunity,
             tuple(e.met for _, e in a.elements())) for a in comparison.results]


@pytest.mark.parametrize("fact,value,circuit,field,text", [
    ("custody", "prison", "ca5", "violation", f"{YES} violation"),
    ("culpability", "negligence", "ca9", "qualified_immunity", "immunity granted"),
    ("act_kind", "none", "ca9", "violation", f"{NO} no violation"),
])
def test_known_answers_after_a_change(lab, fact, value, circuit, field, text):
    lab.load_case(KENNEDY)
    lab.controls[fact].value = value
    assert cell(lab.table.value, circuit, field) == text


def test_set_changes_facts_like_a_student(lab):
    lab.load_case(KENNEDY)
    n = lab.updates
    lab.set(custody="prison", culpability="intent_to_harm")
    assert lab.controls["custody"].value == "prison"
    assert lab.facts.culpability == "intent_to_harm"
    assert lab.updates == n + 1
    assert_outputs_match(lab)


def test_no_redraw_when_nothing_changed(lab):
    lab.load_case(KENNEDY)
    n = lab.updates
    lab.set(custody=lab.facts.custody)
    lab.controls["awareness"].value = lab.facts.awareness
    assert lab.updates == n


def test_choosing_the_forum_highlights_its_row_and_card(lab):
    lab.load_case(KENNEDY)
    lab.set(circuit="2d")
    assert '<tr data-circuit="ca2" class="dsh-forum">' in lab.table.value
    assert 'data-circuit="ca2"' in lab.forum_card.value
    lab.controls["circuit"].value = ""
    assert lab.facts.circuit is None
    assert "dsh-forum" not in lab.table.value


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_loading_a_case_fills_every_control_once(lab, case):
    lab.load_case(KENNEDY if case.id != KENNEDY else "wood_v_ostrander_1989")
    n = lab.updates
    lab.load_case(case.label)
    assert lab.facts == case.facts
    vocab = vocabulary()
    for fid, w in lab.controls.items():
        value = getattr(case.facts, fid)
        expected = value.isoformat() if isinstance(value, date) else (value or "" if fid == "circuit" else value)
        if fid == "conduct_date" and not case.conduct_known:
            expected = ""  # unknown: shown as unknown, never as the decision date
            assert w.placeholder == UNKNOWN_PLACEHOLDER
        assert w.value == expected, fid
    assert lab.case_menu.value == case.id
    assert ('data-conduct="unknown"' in lab.case_notice.value) == (not case.conduct_known)
    assert lab.updates == n + 1
    assert lab.message == ""


def test_the_case_menu_loads_a_case(lab):
    lab.load_case(KENNEDY)
    lab.case_menu.value = f"{KENNEDY}:bybee_dissent"
    assert lab.facts == find_case(f"{KENNEDY}:bybee_dissent").facts
    assert lab.facts.generality == "particularized"
    assert_outputs_match(lab)


@pytest.mark.parametrize("field,bad,words", [
    ("conduct_date", "1998-13-01", "Date of the conduct"),
    ("conduct_date", "September 1998", "Date of the conduct"),
    ("decision_date", "", "Date of decision"),
    ("decision_date", "1990-01-01", "before the conduct_date"),
])
def test_bad_date_shows_a_message_and_keeps_the_last_answer(lab, field, bad, words):
    lab.load_case(KENNEDY)
    good, table = lab.facts, lab.table.value
    lab.controls[field].value = bad  # no exception
    assert words in lab.message
    assert "Traceback" not in lab.message
    assert lab.facts == good and lab.table.value == table
    lab.controls[field].value = getattr(good, field).isoformat()
    assert lab.message == ""


def test_signalled_impunity_without_assurance_is_explained(lab):
    lab.load_case(KENNEDY)
    lab.controls["act_kind"].value = "signalled_impunity"
    assert "assurance_to_assailant" in lab.message
    lab.controls["assurance_to_assailant"].value = "implicit"
    assert lab.message == ""
    assert lab.facts.act_kind == "signalled_impunity"


def test_set_rejects_a_bad_value_before_moving_anything(lab):
    from helpers import FactError
    lab.load_case(KENNEDY)
    with pytest.raises(FactError, match="custody"):
        lab.set(custody="dungeon")
    assert lab.facts == find_case(KENNEDY).facts


def test_one_chart_per_lab_updated_in_place(lab):
    fig = lab.figure
    lab.load_case(KENNEDY)
    lab.set(custody="prison")
    assert lab.figure is fig and lab.chart.children == (fig,)


def test_lab_from_facts_and_presentation_mode():
    lab = circuit_lab(facts={"conduct_date": "2010-01-01", "decision_date": "2012-01-01", "custody": "prison",
                             "culpability": "deliberate_indifference", "awareness": "actual"},
                      presentation=True)
    assert "deshaney-presentation" in lab._dom_classes
    assert lab.facts.custody == "prison"
    assert_outputs_match(lab)


def test_answer_card_summarises_one_circuit():
    facts = find_case(KENNEDY).facts.to_dict()
    card = answer_card(facts, "9th")
    assert "Ninth Circuit" in card.value
    assert f"{YES} violation" in card.value and "immunity denied" in card.value
    assert "Wood v. Ostrander" in card.value


def test_assuming_the_theory_recolours_the_recognition_column(lab):
    lab.load_case(KENNEDY)
    col = lab.figure.x.index("Danger recognised")
    assert lab.figure.z[4][col] == 0  # the Fifth Circuit
    lab.controls["assume_recognized"].value = True
    assert lab.figure.z[4][col] == 1
    assert_outputs_match(lab)


def test_changing_a_loaded_cases_fact_clears_the_menu_so_the_case_can_be_reloaded(lab):
    lab.case_menu.value = KENNEDY
    lab.controls["custody"].value = "prison"
    assert lab.case_menu.value == ""
    lab.case_menu.value = KENNEDY
    assert lab.facts == find_case(KENNEDY).facts


def test_an_unknown_conduct_date_is_shown_as_unknown_in_the_circuit_lab():
    case = next(c for c in cases() if not c.conduct_known)
    lab = circuit_lab(case=case.id)
    box = lab.controls["conduct_date"]
    assert box.value == "" and box.placeholder == UNKNOWN_PLACEHOLDER
    assert lab.facts == case.facts and 'data-conduct="unknown"' in lab.case_notice.value
    lab.set(circuit=case.facts.circuit or "ca9")
    assert "conduct date unknown" in lab.forum_card.value
    box.value = "1990-01-01"  # the student types the date: known from now on
    assert lab.facts.conduct_date == date(1990, 1, 1) and lab.case_notice.value == ""
    assert "conduct 1990-01-01" in lab.forum_card.value
    lab.load_case(case.id)  # loaded again: unknown again
    assert box.value == "" and 'data-conduct="unknown"' in lab.case_notice.value
    lab.load_case("kennedy_v_ridgefield_2006")
    assert box.value == "1998-09-24" and box.placeholder == "YYYY-MM-DD" and lab.case_notice.value == ""


# --- the projector view ---------------------------------------------------------------------

def test_projector_shows_every_circuits_answer_as_the_engine_says(lab):
    from helpers.facts import CIRCUITS
    from helpers.projector import CLEARLY_ESTABLISHED, IMMUNITY, VIOLATION, outcome

    for case_id in (KENNEDY, f"{KENNEDY}:bybee_dissent", "pinder_v_johnson_1995"):
        lab.load_case(case_id)
        comparison = compare(lab.facts)
        codes = lab.projector.answers
        assert len(codes) == 12
        for cid, code in zip(CIRCUITS, codes):
            a = comparison[cid]
            assert bool(code & VIOLATION) == a.violation
            assert bool(code & CLEARLY_ESTABLISHED) == a.clearly_established
            assert bool(code & IMMUNITY) == a.qualified_immunity
            assert outcome(code) == ("none" if not a.violation else "granted" if a.qualified_immunity else "denied")
    assert "deshaney-projector" in lab.projector._dom_classes
    # The answers first, beside the facts, on one stage (a screen's worth: see tests/browser/test_projector.py).
    assert lab.stage in lab.children and lab.stage.children[0] is lab.projector, "the answers come first"
    assert lab.panel in lab.stage.children[1].children, "the facts sit beside the answers"


def test_projector_map_covers_every_state_once_in_its_circuit():
    from helpers.projector import CIRCUIT_STATES, TILES, Projector

    states = [s for group in CIRCUIT_STATES.values() for s in group]
    assert len(states) == len(set(states)) == len(TILES) == 55  # 50 states, D.C., four territories
    assert set(TILES) == set(states)
    assert len(set(TILES.values())) == len(TILES), "two tiles on one square"
    p = Projector()
    assert {t[3] for t in p.tiles} == set(CIRCUIT_STATES)
    assert [c["abbr"] for c in p.circuits][:3] == ["1st", "2d", "3d"]


def test_opening_a_circuit_shows_its_elements_and_what_prong_two_rests_on(lab):
    lab.load_case(KENNEDY)
    detail = lab.open_circuit("9th")
    assert lab.projector.selected == "ca9"
    a = compare(lab.facts)["ca9"]
    for _, e in a.elements():
        assert escape(e.why) in detail and escape(e.authority) in detail
    assert "Rests on:" in detail and 'data-route="general"' in detail
    lab.set(custody="prison")  # the open circuit follows the facts
    assert lab.projector.detail != detail and "ca9" in lab.projector.detail
    lab.projector.selected = ""  # as the browser's Esc or "back to the map" does
    assert lab.projector.detail == ""


def test_a_change_from_the_browser_sends_the_answers_table_and_chart_at_once_and_the_rest_once_painted():
    """In a kernel, a control moved in the browser updates the projector, the element table and the
    chart at once; the flips and the card wait for the browser's 'painted' (or a timeout)."""
    import asyncio

    from helpers.projector import answer_vector

    lab = circuit_lab(case=KENNEDY)

    async def scenario():
        table, flips_shown, updates = lab.table.value, lab.flips_panel.value, lab.updates
        custody = lab.controls["custody"]
        with custody._lock_property(value="prison"):  # what ipywidgets does with a browser's change
            custody.value = "prison"
        assert lab.facts.custody == "prison"
        comparison = compare(lab.facts)
        assert lab.projector.answers == answer_vector(comparison)
        assert lab.table.value != table and lab.table.value == circuit_table_html(comparison, lab.facts.circuit, style=False)
        assert lab.figure.z == heatmap_data(comparison)["z"]
        assert lab.flips_panel.value == flips_shown and lab.updates == updates, "the rest waits for the paint"
        lab.projector._on_msg(lab.projector, {"painted": lab.projector.seq}, [])
        assert lab.updates == updates + 1
        assert_outputs_match(lab)
        # Without a 'painted' (no browser view), the rest comes after a short timeout.
        culp = lab.controls["culpability"]
        with culp._lock_property(value="intent_to_harm"):
            culp.value = "intent_to_harm"
        assert lab.updates == updates + 1
        await asyncio.sleep(lab.REST_TIMEOUT + 0.1)
        assert lab.updates == updates + 2
        assert_outputs_match(lab)

    run_in_own_loop(scenario)


def test_the_classroom_lab_builds_its_chart_only_when_asked():
    lab = circuit_lab(case=KENNEDY, presentation=True, chart="button")
    assert lab.figure is None and lab.chart.children == (lab.chart_button,)
    lab.set(custody="prison")  # no chart, no error
    fig = lab.show_chart()
    assert lab.chart.children == (fig,) and lab.show_chart() is fig
    assert fig.z == heatmap_data(compare(lab.facts))["z"]
    lab.set(custody="none")
    assert_outputs_match(lab)
