"""Rendering a known answer: Kennedy's facts in the Ninth Circuit, the Bybee dissent's version,
and a prisoner in the Fifth Circuit. The words and marks must say what the engine says."""
from __future__ import annotations

from html import escape
import re

import pytest

from helpers import compare, evaluate, flips
from helpers.cases import find_case
from helpers.law import law
from helpers.rendering import (
    NO, YES, answer_card_html, circuit_table_html, element_frame, flips_html, heatmap_data,
    heatmap_figure, on_point_html, order_rule, timeline_events, timeline_figure, update_heatmap,
)
from helpers.immunity import on_point

KENNEDY = find_case("kennedy_v_ridgefield_2006").facts
BYBEE = find_case("kennedy_v_ridgefield_2006:bybee_dissent").facts


def td(html, circuit, field):
    r = re.search(rf'<tr data-circuit="{circuit}"[^>]*>(.*?)</tr>', html).group(1)
    return re.search(rf'<td data-field="{field}"[^>]*>(.*?)</td>', r).group(1)


@pytest.mark.parametrize("facts,circuit,violation,ce,qi", [
    (KENNEDY, "ca9", f"{YES} violation", f"{YES} clearly established", f"{YES} immunity denied"),
    (BYBEE, "ca9", f"{NO} no violation", f"{NO} not clearly established", f"{NO} immunity granted"),
])
def test_circuit_table_says_the_answer_in_words_and_marks(facts, circuit, violation, ce, qi):
    html = circuit_table_html(compare(facts), forum="ca9")
    assert td(html, circuit, "violation") == violation
    assert td(html, circuit, "clearly_established") == ce
    assert td(html, circuit, "qualified_immunity") == qi
    assert html.count("<tr data-circuit=") == 12
    assert '<tr data-circuit="ca9" class="dsh-forum">' in html
    assert "<style>" in html and "<style>" not in circuit_table_html(compare(facts), style=False)


def test_each_element_carries_its_label_reason_and_authority_in_its_title():
    a = compare(KENNEDY)["ca9"]
    html = circuit_table_html(compare(KENNEDY))
    for _, e in a.elements():
        chip = re.search(rf'<tr data-circuit="ca9".*?data-element="{e.id}" title="([^"]*)">([^<]*)<', html).group
        assert chip(2) == f"{YES if e.met else NO} {e.id.replace('_', ' ')}"
        assert escape(e.authority.split(",")[0]) in chip(1)


def test_unrecognised_theory_is_said_plainly():
    html = circuit_table_html(compare(KENNEDY))
    assert f"{NO} not recognised" in td(html, "ca5", "state_created_danger")


def test_element_frame_has_one_row_per_element():
    a = compare(KENNEDY)["ca9"]
    frame = element_frame(a)
    assert len(frame) == len(list(a.elements()))
    assert list(frame.columns) == ["theory", "element", "label", "met", "status", "why", "authority"]
    row = frame.set_index("element").loc["affirmative_act"]
    assert bool(row["met"]) and row["status"] == f"{YES} met" and "Kennedy" in row["authority"]


def test_answer_card_names_both_prongs_and_what_prong_two_rests_on():
    card = answer_card_html(evaluate(KENNEDY), law=law())
    assert f"{YES} violation" in card and f"{YES} clearly established" in card
    assert "Prong two rests on: Wood v. Ostrander, 879 F.2d 583 (9th Cir. 1989)" in card


def test_flips_html_lists_each_circuits_changes_forum_first():
    found = flips(KENNEDY)
    html = flips_html(found, forum="ca9")
    assert html.index('data-circuit="ca9"') < html.index('data-circuit="ca1"')
    assert '<details data-circuit="ca9" class="dsh-forum" open>' in html
    assert f"Ninth Circuit: {len(found['ca9'])} changes would alter the answer" in html
    assert "What the official did, beyond failing to protect: nothing (a pure failure to protect) -&gt; " \
           "no violation and immunity granted" in html


def test_heatmap_matches_the_elements_and_updates_in_place():
    import plotly.graph_objects as go
    comparison = compare(KENNEDY)
    data = heatmap_data(comparison)
    assert data["y"][8] == "9th Cir." and len(data["z"]) == 12
    assert data["x"][-3:] == ["Violation", "Clearly est.", "Immunity denied"]
    ca9 = comparison["ca9"]
    assert data["z"][8][-3:] == [1, 1, 1]
    fig = go.FigureWidget(heatmap_figure(comparison))
    bybee = compare(BYBEE)
    update_heatmap(fig, bybee)
    assert [list(r) for r in fig.data[0].z] == heatmap_data(bybee)["z"]
    assert list(fig.data[0].z[8][-3:]) == [0, 0, 0]


def test_timeline_has_adoptions_decisions_and_undoing():
    events = timeline_events(law())
    kinds = {(e["id"], e["kind"]) for e in events}
    assert ("wood_v_ostrander_1989", "adopted") in kinds
    assert ("cornelius_v_town_of_highland_lake_1989", "undone") in kinds
    assert ("white_v_lemacks_1999", "rejected") in kinds
    fig = timeline_figure(law(), KENNEDY.conduct_date, KENNEDY.decision_date, "ca9")
    assert fig.layout.shapes[0].x0 == KENNEDY.conduct_date.isoformat()


def test_on_point_html_shows_checks_and_distinctions():
    L = law()
    op = on_point(L, L.circuits["ca9"], L.precedents["wood_v_ostrander_1989"], KENNEDY.with_(generality="particularized"))
    html = on_point_html(op, L, "ca9")
    assert f"{NO} Not on point" in html
    assert '<li data-check="same_act" class="dsh-no">' in html
    assert "How the other side would distinguish it" in html and "stranded the victim" in html


@pytest.mark.parametrize("day,order", [("1995-01-01", "none"), ("2006-03-07", "mandatory"), ("2020-01-01", "discretionary")])
def test_order_rule_by_decision_date(day, order):
    from datetime import date
    assert order_rule(law(), date.fromisoformat(day))[0] == order


@pytest.mark.parametrize("assumed,mark", [(False, NO), (True, YES)])
def test_heatmap_says_whether_the_circuit_recognises_the_theory(assumed, mark):
    data = heatmap_data(compare(KENNEDY), assumed)
    col = data["x"].index("Danger recognised")
    assert data["x"][col + 1] == "Danger 1"
    fifth = data["y"].index("5th Cir.")
    assert data["text"][fifth][col] == mark
    assert data["text"][data["y"].index("9th Cir.")][col] == YES


def test_answer_cells_carry_machine_readable_values():
    from helpers import compare
    from helpers.law import law
    from helpers.rendering import circuit_table_html
    html = circuit_table_html(compare(law().precedents["kennedy_v_ridgefield_2006"].fact_pattern()))
    start = html.index('data-circuit="ca9"')
    row = html[start:html.index("</tr>", start)]
    assert 'data-field="violation" data-value="true"' in row
    assert 'data-field="qualified_immunity" data-value="false"' in row


def test_moving_a_fact_resends_the_cells_but_not_the_hover():
    """The hover names each element and its authority, not the facts: it stays put."""
    from helpers import compare
    from helpers.law import law
    from helpers.rendering import heatmap_data, heatmap_figure, update_heatmap
    import plotly.graph_objects as go

    kennedy = law().precedents["kennedy_v_ridgefield_2006"]
    majority, bybee = compare(kennedy.fact_pattern()), compare(kennedy.fact_pattern("bybee_dissent"))
    assert heatmap_data(majority)["customdata"] == heatmap_data(bybee)["customdata"]
    fig = go.FigureWidget(heatmap_figure(majority))
    sent = []
    fig.data[0].on_change(lambda *args: sent.append("hover"), "customdata")
    update_heatmap(fig, bybee)
    assert [list(r) for r in fig.data[0].z] == heatmap_data(bybee)["z"]
    assert sent == []
