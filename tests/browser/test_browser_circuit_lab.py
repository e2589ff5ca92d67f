"""The circuit lab in a real Chromium, in the classroom page (Voila) and in JupyterLab.

Each page is opened once; the tests then run in order on it, as a student would: look,
change facts, load a real case. Every answer on screen is checked against the engine.
"""
from __future__ import annotations

import pytest

from bench import browser as drive
from helpers import compare
from helpers.cases import find_case
from helpers.facts import vocabulary
from helpers.demo import DEMO_CASE

pytestmark = pytest.mark.browser

#: Three changes that take the blank pattern and Kennedy's facts to a violation everywhere.
CHANGES = (("custody", "prison"), ("culpability", "deliberate_indifference"), ("awareness", "actual"))

#: (where, the facts the page opens with, the case the test loads).
PAGES = {
    "voila": (find_case(DEMO_CASE).facts.to_dict(), "kennedy_v_ridgefield_2006:bybee_dissent"),
    "jupyterlab": (find_case("kennedy_v_ridgefield_2006").facts.to_dict(), "kennedy_v_ridgefield_2006:bybee_dissent"),
}


@pytest.fixture(scope="module")
def voila_circuit_lab(context, voila, artifacts):
    """The classroom page of the circuit lab, drawn, with its element chart shown (the classroom
    page builds the chart when asked: the button below the table)."""
    page = context.new_page()
    drive.open_voila(page, voila["circuit_lab"])
    page.locator(".deshaney-chart-button").click()
    drive.wait_chart(page)
    page.screenshot(path=str(artifacts / "voila-circuit-lab-opened.png"))
    yield page
    page.close()


@pytest.fixture(params=list(PAGES))
def lab_page(request):
    """(where, page): the Voila demo, or notebooks/05 run in JupyterLab; one page each per session."""
    fixture = {"voila": "voila_circuit_lab", "jupyterlab": "jupyterlab_circuit_lab"}[request.param]
    return request.param, request.getfixturevalue(fixture)


def violations(facts: dict) -> dict[str, bool]:
    return {a.circuit: a.violation for a in compare(facts).results}


def shown_violations(page) -> dict[str, bool]:
    """What the table says, circuit by circuit: a violation cell reads 'violation' or 'no violation'."""
    return {cid: ("no violation" not in text.lower()) for cid, text in drive.cells(page, "violation").items()}


def wait_for_answers(page, expected: dict[str, bool], timeout: float = 30_000) -> None:
    page.wait_for_function(
        f"""(want) => {{ const got = ({drive.JS_CELLS})('violation');
               return Object.keys(want).every(c => got[c] != null
                      && (!got[c].toLowerCase().includes('no violation')) === want[c]); }}""",
        arg=expected, timeout=timeout)


def test_the_lab_is_drawn(lab_page, artifacts):
    where, page = lab_page
    start, _ = PAGES[where]
    rows = page.locator(f"{drive.TABLE} tr[data-circuit]")
    assert rows.count() == 12
    assert all(t.strip() for t in rows.all_inner_texts()), "a circuit row is empty"
    assert page.locator(drive.CHART_PLOT).count() == 1, "one element chart per lab"
    assert drive.chart_data(page), "the chart shows no cells"
    # a tap on a cell says its tooltip's words below the grid (touch screens and projectors show no tooltips)
    cell = page.locator(f"{drive.CHART_PLOT} td[data-z='1']").first
    cell.click()
    said = page.locator(".deshaney-chart .dsh-chart-said").first
    assert said.inner_text().split()[:3] == cell.get_attribute("title").split()[:3] and "\u2713" in said.inner_text()
    assert page.locator(".deshaney-flips").inner_text().strip()
    assert page.locator(".deshaney-fact-custody select").is_visible()
    assert shown_violations(page) == violations(start)
    page.locator(drive.TABLE).first.screenshot(path=str(artifacts / f"{where}-circuit-table.png"))
    page.locator(".deshaney-chart").first.screenshot(path=str(artifacts / f"{where}-circuit-chart.png"))
    if where == "voila":
        assert page.locator(".jp-InputArea, .jp-Cell-inputWrapper").count() == 0, "the demo shows code"


def test_changing_facts_updates_table_and_chart(lab_page, artifacts):
    where, page = lab_page
    start, _ = PAGES[where]
    after = {**start, **dict(CHANGES)}
    assert violations(after) != violations(start), "the changes must matter to the engine"
    table0, chart0 = drive.table_text(page), drive.chart_data(page)
    for fact, value in CHANGES:
        drive.choose(page, fact, value)
    wait_for_answers(page, violations(after))
    assert drive.table_text(page) != table0
    assert drive.wait_chart_change(page, chart0) != chart0, "the chart's drawn z did not change"
    custody = page.locator(".deshaney-fact-custody select").input_value()
    assert custody == drive.option_for(drive.fact_select(page, "custody"), "custody", "prison")
    page.screenshot(path=str(artifacts / f"{where}-circuit-lab-changed.png"), full_page=True)


def test_loading_a_real_case(lab_page, artifacts):
    where, page = lab_page
    _, case_id = PAGES[where]
    case = find_case(case_id)
    facts = case.facts.to_dict()
    chart0 = drive.chart_data(page)
    menu = page.locator(drive.CASE_MENU).first
    menu.select_option(value=case.label)
    wait_for_answers(page, violations(facts))
    vocab = vocabulary()
    for fact in ("custody", "act_kind", "danger_effect", "awareness", "culpability"):
        shown = drive.fact_select(page, fact).input_value()
        assert shown == drive.option_for(drive.fact_select(page, fact), fact, facts[fact]), \
            f"{fact} shows {shown!r}, the case says {vocab[fact].label_of(facts[fact])!r}"
    assert drive.wait_chart_change(page, chart0) != chart0
    assert shown_violations(page) == violations(facts)
    page.screenshot(path=str(artifacts / f"{where}-circuit-lab-case-loaded.png"), full_page=True)


# The element table as the page shows it (after any patching in place) is the same DOM as the
# kernel's HTML for these facts parsed afresh: compared as the browser serialises both.
JS_TABLE_IS = """(want) => {
  const live = document.querySelector('.deshaney-circuit-table .widget-html-content');
  if (!live) return false;
  const fresh = document.createElement('div');
  fresh.innerHTML = want;
  return live.innerHTML === fresh.innerHTML;
}"""


def test_the_patched_table_reads_as_one_drawn_afresh_after_a_random_walk(lab_page):
    """The browser replaces only the table's cells that changed: after each step of a random walk
    of fact changes (dropdowns, yes/no boxes and the forum), the table is exactly what drawing
    the kernel's HTML afresh gives, and the chart shows the engine's cells."""
    import json
    import random

    from helpers.facts import CIRCUIT_NAMES, CIRCUITS, FactError, parse_facts
    from helpers.rendering import circuit_table_html, heatmap_data

    where, page = lab_page
    case = find_case("kennedy_v_ridgefield_2006")
    page.locator(drive.CASE_MENU).first.select_option(value=case.label)
    facts = case.facts.to_dict()
    wait_for_answers(page, violations(facts))
    rng = random.Random(21)
    vocab = vocabulary()
    movable = [f for f, spec in vocab.items() if spec.kind not in ("date", "circuit")]
    step = 0
    while step < 10:
        if step % 4 == 3:  # a new forum: a row's own attributes change, not only its cells
            fid = "circuit"
            value = rng.choice([c for c in CIRCUITS if c != facts.get("circuit")])
        else:
            fid = rng.choice(movable)
            spec = vocab[fid]
            value = rng.choice([v for v in ([True, False] if spec.kind == "flag" else spec.values) if v != facts[fid]])
        try:
            parse_facts({**facts, fid: value})
        except FactError:
            continue  # a pair the contract rejects: the lab would only mark its answers stale
        facts[fid] = value
        if fid == "circuit":
            page.locator(".deshaney-fact-circuit select").first.select_option(value=CIRCUIT_NAMES[value])
        elif vocab[fid].kind == "flag":
            page.locator(f".deshaney-fact-{fid} input[type=checkbox]").first.set_checked(bool(value))
        else:
            drive.choose(page, fid, value)
        comparison = compare(facts)
        want = circuit_table_html(comparison, facts["circuit"], style=False)
        try:
            page.wait_for_function(JS_TABLE_IS, arg=want, timeout=30_000)
        except Exception as exc:  # noqa: BLE001 - said with the step that failed
            raise AssertionError(f"{where}, step {step} ({fid}={value!r}): the table is not the one drawn afresh") from exc
        z = json.dumps(heatmap_data(comparison, facts["assume_recognized"])["z"], separators=(",", ":"))
        page.wait_for_function(f"(z) => ({drive.JS_CHART})() === z", arg=z, timeout=30_000)
        step += 1
