"""Rendering a known answer: Kennedy's facts in the Ninth Circuit, the Bybee dissent's version,
and a prisoner in the Fifth Circuit. The words and marks must say what the engine says."""
from __future__ import annotations

from html import escape
import re
from datetime import date

import pytest

from helpers import compare, evaluate, flips
from helpers.cases import find_case
from helpers.law import law
from helpers.rendering import (
    NO, YES, answer_card_html, circuit_table_html, element_frame, flips_html, heatmap_data,
    on_point_html, order_rule, timeline_events, timeline_figure,
)
from helpers.immunity import on_point

KENNEDY = find_case("kennedy_v_ridgefield_2006").facts
BYBEE = find_case("kennedy_v_ridgefield_2006:bybee_dissent").facts


def td(html, circuit, field):
    r = re.search(rf'<tr data-circuit="{circuit}"[^>]*>(.*?)</tr>', html).group(1)
    return re.search(rf'<td data-field="{field}"[^>]*>(.*?)</td>', r).group(1)


@pytest.mark.parametrize("facts,circuit,violation,ce,qi", [
    (KENNEDY, "ca9", f"{YES} violation", f"{YES} clearly established", "immunity denied"),
    (BYBEE, "ca9", f"{NO} no violation", f"{NO} not clearly established", "immunity granted"),
])
def test_circuit_table_says_the_answer_in_words_and_marks(facts, circuit, violation, ce, qi):
    html = circuit_table_html(compare(facts), forum="ca9")
    assert td(html, circuit, "violation") == violation
    assert td(html, circuit, "clearly_established") == ce
    assert td(html, circuit, "qualified_immunity") == qi
    assert html.count("<tr data-circuit=") == 12
    assert '<tr data-circuit="ca9" class="dsh-forum">' in html
    assert "<style>" in html and "<style>" not in circuit_table_html(compare(facts), style=False)


def test_each_element_opens_on_a_click_to_its_label_reason_and_authority():
    """Not a hover title: a <details> opens on a click, a tap, or Enter."""
    a = compare(KENNEDY)["ca9"]
    html = circuit_table_html(compare(KENNEDY))
    for _, e in a.elements():
        chip = re.search(rf'<tr data-circuit="ca9".*?<details class="dsh-el [^"]*" data-element="{e.id}">'
                         rf'<summary>([^<]*)</summary><span class="dsh-why">([^<]*)</span></details>', html).group
        assert chip(1) == f"{YES if e.met else NO} {e.id.replace('_', ' ')}"
        assert escape(e.authority) in chip(2) and escape(e.why) in chip(2) and escape(e.label) in chip(2)


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
    assert "Rests on: Wood v. Ostrander, 879 F.2d 583 (9th Cir. 1989)" in card
    assert 'data-route="general"' in card and "recognised the theory" in card


def test_a_circuit_without_the_theory_reads_if_there_were_a_violation():
    card = answer_card_html(evaluate(KENNEDY.with_(circuit="ca5", decision_date=date(2020, 1, 1))), law=law())
    assert "no violation" in card and "If there were a violation" in card


def test_flips_html_lists_each_circuits_changes_forum_first():
    found = flips(KENNEDY)
    html = flips_html(found, forum="ca9")
    assert html.index('data-circuit="ca9"') < html.index('data-circuit="ca1"')
    assert '<details data-circuit="ca9" class="dsh-forum" open>' in html
    assert f"Ninth Circuit: {len(found['ca9'])} changes would alter the answer" in html
    assert "What the official did, beyond failing to protect: nothing (a pure failure to protect) -&gt; " \
           "no violation and immunity granted" in html


def test_heatmap_matches_the_elements_and_updates_in_place():
    from helpers.tablewidget import ElementChart

    comparison = compare(KENNEDY)
    data = heatmap_data(comparison)
    assert data["y"][8] == "9th Cir." and len(data["z"]) == 12
    assert data["x"][-3:] == ["Violation", "Clearly est.", "Immunity denied"]
    assert data["z"][8][-3:] == [1, 1, 1]
    chart = ElementChart()
    chart.show(data, "title")
    bybee = compare(BYBEE)
    chart.show(heatmap_data(bybee))
    assert chart.z == heatmap_data(bybee)["z"] and chart.z[8][-3:] == [0, 0, 0]
    # A tooltip is plain text: no <br>, <i> or escaped entities; lines end with newlines.
    flat = [t for row in chart.hover for t in row]
    assert not any("<br>" in t or "<i>" in t or "&amp;" in t for t in flat) and any("\n" in t for t in flat)


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
    # Wood stranded a victim; Kennedy's officer warned the assailant: another mechanism of danger.
    assert f"{NO} Not on point" in html
    assert '<li data-check="same_mechanism" class="dsh-no">' in html
    assert "How the other side would distinguish it" in html and "Different mechanism" in html


def test_basis_html_says_what_the_answer_rests_on_and_what_is_ours():
    from helpers.rendering import basis_html
    L = law()
    finer = evaluate(KENNEDY.with_(generality="particularized")).clearly_established_basis
    html = basis_html(finer, L)
    assert "Rests on: L.W. v. Grubbs" in html and 'data-part="shared"' in html and "lower her guard" in html
    ninth_1995 = evaluate(KENNEDY.with_(circuit="ca10", conduct_date=date(2012, 1, 1),
                                        decision_date=date(2016, 1, 1))).clearly_established_basis
    assert ninth_1995.ours and "workbook's own reading" in basis_html(ninth_1995, L)


@pytest.mark.parametrize("day,order", [("1995-01-01", "none"), ("2006-03-07", "mandatory"), ("2020-01-01", "discretionary")])
def test_order_rule_by_decision_date(day, order):
    from datetime import date
    assert order_rule(law(), date.fromisoformat(day))[0] == order


@pytest.mark.parametrize("assumed,mark", [(False, NO), (True, YES)])
def test_heatmap_says_whether_the_circuit_recognises_the_theory(assumed, mark):
    data = heatmap_data(compare(KENNEDY), assumed)
    col = data["x"].index("Danger recognised")
    assert data["x"][col + 1].startswith("Danger: ")
    fifth = data["y"].index("5th Cir.")
    # the browser marks a cell from z (element_chart.js: 1 is the check mark, 0 the cross)
    assert data["z"][fifth][col] == (1 if mark == YES else 0)
    assert data["z"][data["y"].index("9th Cir.")][col] == 1


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
    from helpers.rendering import heatmap_data
    from helpers.tablewidget import ElementChart

    kennedy = law().precedents["kennedy_v_ridgefield_2006"]
    majority, bybee = compare(kennedy.fact_pattern()), compare(kennedy.fact_pattern("bybee_dissent"))
    assert heatmap_data(majority)["hover"] == heatmap_data(bybee)["hover"]
    chart, sent = ElementChart(), []
    chart.show(heatmap_data(majority), "title")
    chart.observe(lambda change: sent.append(change["name"]), names=["title", "x", "y", "z", "hover"])
    chart.show(heatmap_data(bybee))
    assert chart.z == heatmap_data(bybee)["z"]
    assert sent == ["z"], "only the cells' values are sent again"


# --- what a student reads -------------------------------------------------------------------

def test_element_frame_shows_as_a_readable_table():
    from helpers.rendering import ElementFrame, element_table_html

    a = evaluate(law().precedents["mcclendon_v_city_of_columbia_2002"].fact_pattern())
    frame = element_frame(a)
    assert isinstance(frame, ElementFrame) and list(frame.columns)[:2] == ["theory", "element"]
    shown = frame._repr_html_()
    assert shown == element_table_html(frame)
    text = re.sub(r"<[^>]+>", " ", shown)
    for e in (e for _, e in a.elements()):
        assert escape(e.label) in shown and escape(e.why) in shown and escape(e.authority) in shown  # nothing cut
        if "_" in e.id:
            assert e.id not in text  # labels, not snake_case ids (ids stay in data attributes)
    assert "State-created danger" in text and "state_created_danger" not in text
    assert "..." not in text
    assert type(frame[frame["met"]]) is not ElementFrame  # a computed frame is a plain DataFrame


@pytest.mark.parametrize("raw,shown", [
    ("Dissenting, joining Judge Parker's dissent (author not named in the supplied text)",
     "Dissenting, joining Judge Parker's dissent"),
    ("It was replaced by the opinion on rehearing, which is the operative decision; encode recognition of the "
     "theory from the 1989 opinion.",
     "It was replaced by the opinion on rehearing, which is the operative decision."),
    ("Would send that to a jury. Encoded with assume_recognized because the dissent joins Judge Parker's.",
     "Would send that to a jury."),
    ("Reads the conduct as danger creation. The opening of the dissent was seen; its treatment of the state of "
     "mind was not. Encoded (integration review): act_kind is other.", "Reads the conduct as danger creation."),
    ("A plain summary; nothing for maintainers (Fletcher, J.).", "A plain summary; nothing for maintainers (Fletcher, J.)."),
])
def test_student_text_drops_notes_for_maintainers(raw, shown):
    from helpers.rendering import student_text

    assert student_text(raw) == shown


def test_no_data_entry_note_reaches_a_case_card_or_menu():
    from helpers.cases import cases
    from helpers.exercises import case_note
    from helpers.rendering import _DATA_NOTE

    for c in cases():
        assert not _DATA_NOTE.search(c.label), c.label
    for p in law().precedents.values():
        for op in [None, *[o.id for o in p.opinions]]:
            card = case_note(p.id, op).value
            assert not _DATA_NOTE.search(card), (p.id, op)


def test_facts_show_in_words_not_as_a_repr():
    from helpers.rendering import facts_html, facts_text, register_display

    facts = law().precedents["kennedy_v_ridgefield_2006"].fact_pattern()
    for shown in (facts_html(facts), facts_text(facts)):
        assert "Facts(" not in shown and "datetime" not in shown
        assert "told the assailant about the victim" in shown and "1998-09-24" in shown

    registered = {}

    class Formatter:
        def __init__(self, mime):
            self.mime = mime

        def for_type(self, cls, fn):
            registered[(self.mime, cls)] = fn

    class Shell:
        class display_formatter:
            formatters = {"text/html": Formatter("text/html"), "text/plain": Formatter("text/plain")}

    import IPython

    original = IPython.get_ipython
    IPython.get_ipython = lambda: Shell()
    try:
        register_display()
    finally:
        IPython.get_ipython = original
    from helpers.facts import Facts

    assert registered[("text/html", Facts)](facts) == facts_html(facts)
    out = []
    registered[("text/plain", Facts)](facts, type("P", (), {"text": lambda self, t: out.append(t)})(), False)
    assert out == [facts_text(facts)]


def test_answer_card_says_when_the_conduct_date_is_unknown():
    a = evaluate(KENNEDY)
    assert f"conduct {a.conduct_date}" in answer_card_html(a)
    unknown = answer_card_html(a, conduct_known=False)
    assert "conduct date unknown" in unknown and f"conduct {a.conduct_date}" not in unknown


def test_every_chart_column_names_one_kind_of_element():
    """No 'Danger 1': each column is named, and in every row it holds only elements of its kind."""
    from helpers.cases import cases
    from helpers.rendering import ELEMENT_GROUPS, RECOGNISED_COLUMN, element_group, heatmap_columns

    named = {label for _, label, _ in ELEMENT_GROUPS} | {RECOGNISED_COLUMN, "Violation", "Clearly est.",
                                                          "Immunity denied"}
    for case in cases():
        comparison = compare(case.facts)
        data = heatmap_data(comparison)
        assert set(data["x"]) <= named, f"{case.id}: a column without a name: {set(data['x']) - named}"
        assert not any(re.search(r"\d$", x) for x in data["x"])
        for a, zrow, hrow in zip(comparison.results, data["z"], data["hover"]):
            for (theory, group), z, hover in zip(heatmap_columns(comparison), zrow, hrow):
                if group is None:
                    continue
                mine = [e for e in getattr(a, theory).elements if element_group(theory, e.id) == group]
                assert (z is None) == (not mine)
                if mine:
                    assert z == int(all(e.met for e in mine))
                    assert all(e.authority in hover and " ".join(e.label.split()) in " ".join(hover.split())
                               for e in mine)  # plain text, the label wrapped into lines
    # The circuits word one job differently; the chart puts them in one column.
    assert element_group("state_created_danger", "causal_connection") == element_group(
        "state_created_danger", "proximate_cause") == "Danger: causation"
    assert element_group("state_created_danger", "known_victim") == "Danger: to this victim in particular"


def test_circuit_table_puts_the_answers_first_in_a_box_with_a_sticky_header():
    html = circuit_table_html(compare(KENNEDY), style=False)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', html)
    assert heads[:4] == ["Circuit", "Violation (prong one)", "Clearly established (prong two)", "Qualified immunity"]
    row = re.search(r'<tr data-circuit="ca9"[^>]*>(.*?)</tr>', html).group(1)
    fields = re.findall(r'data-field="([a-z_]+)"', row)
    assert fields[:4] == ["circuit", "violation", "clearly_established", "qualified_immunity"]
    assert html.startswith('<div class="dsh-scroll">')
    from helpers.rendering import CSS
    assert "position: sticky; top: 0" in CSS


def test_answer_card_can_open_every_theory_for_the_projector():
    a = evaluate(KENNEDY)
    closed, opened = answer_card_html(a, law=law()), answer_card_html(a, law=law(), open_elements=True)
    assert "<details data-theory=\"state_created_danger\" open>" in opened
    assert " open>" not in closed
