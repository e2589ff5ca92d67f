"""A bad date is shown beside the date box that caused it, and the answers are marked stale (a
banner, every output dimmed) until the input is valid again; then the marks go. Widget models
only: no browser."""
from __future__ import annotations

import pytest

from helpers.qilab import qi_lab
from helpers.widgets import STALE, STALE_SHOWN, circuit_lab, problems_by_box

KENNEDY = "kennedy_v_ridgefield_2006"


@pytest.fixture(scope="module")
def lab():
    return circuit_lab(case=KENNEDY, chart="button")


@pytest.fixture(scope="module")
def qi():
    return qi_lab()


def stale_outputs(lab) -> list:
    return [w for w in lab.stale.outputs if STALE in w._dom_classes]


def box_of(panel, widget):
    """The VBox in the fact panel that holds `widget`."""
    grid = panel.children[0]
    for column in grid.children:
        for box in column.children:
            if widget in getattr(box, "children", ()):
                return box
    raise AssertionError("not in the fact panel")


@pytest.mark.parametrize("field,bad,words", [
    ("conduct_date", "1998-13-01", "is not a date"),
    ("conduct_date", "2007-01-01", "before the conduct_date"),  # typed in the conduct box: shown there
    ("decision_date", "1990-01-01", "before the conduct_date"),
    ("decision_date", "", "is not a date"),
])
def test_circuit_lab_a_bad_date_is_shown_beside_its_box_and_the_answers_go_stale(lab, field, bad, words):
    lab.load_case(KENNEDY)
    good, projector_rows, table = lab.facts, list(lab.projector.answers), lab.table.value
    lab.controls[field].value = bad
    beside = lab.panel.box_messages[field]
    assert words in beside.value and "press Enter" in beside.value
    assert box_of(lab.panel, lab.controls[field]) is box_of(lab.panel, beside)  # right under the box
    other = "decision_date" if field == "conduct_date" else "conduct_date"
    assert lab.panel.box_messages[other].value == "" and lab.panel.message.value == ""
    assert lab.stale.stale and "Stale: fix the date" in lab.stale.banner.value
    assert good.conduct_date.isoformat() in lab.stale.banner.value
    assert len(stale_outputs(lab)) == len(lab.stale.outputs) and STALE in lab.table._dom_classes
    assert list(lab.children).index(lab.stale.banner) < list(lab.children).index(lab.stage)  # above the answers
    # The banner's widget is marked too: CSS dims the projector after it (a sibling selector).
    assert STALE_SHOWN in lab.stale.banner._dom_classes
    assert lab.facts == good and lab.table.value == table and list(lab.projector.answers) == projector_rows
    lab.controls[field].value = getattr(good, field).isoformat()  # valid again (Enter or blur)
    assert lab.message == "" and lab.stale.banner.value == "" and stale_outputs(lab) == []
    assert STALE_SHOWN not in lab.stale.banner._dom_classes


def test_circuit_lab_loading_a_case_clears_a_stale_mark(lab):
    lab.controls["conduct_date"].value = "nonsense"
    assert lab.stale.stale
    lab.load_case(f"{KENNEDY}:bybee_dissent")
    assert not lab.stale.stale and lab.message == "" and stale_outputs(lab) == []


def test_a_problem_that_is_not_a_date_stays_under_the_panel(lab):
    lab.load_case(KENNEDY)
    lab.controls["act_kind"].value = "signalled_impunity"
    assert "assurance_to_assailant" in lab.panel.message.value
    assert all(w.value == "" for w in lab.panel.box_messages.values())
    assert "Stale: fix the facts" in lab.stale.banner.value
    lab.load_case(KENNEDY)
    assert not lab.stale.stale


def _boxes(w):
    """The widget and every widget inside it (the lab's layout nests its rows)."""
    yield w
    for c in getattr(w, "children", ()):
        yield from _boxes(c)


@pytest.mark.parametrize("field,bad", [("conduct_date", "2007-01-01"), ("decision_date", "1990-01-01"),
                                       ("conduct_date", "26 June 1989")])
def test_qi_lab_a_bad_date_is_shown_beside_its_box_and_the_answers_go_stale(qi, field, bad):
    qi.reset()
    good, result = qi.facts, qi.result.value
    getattr(qi, field).value = bad
    beside = qi.box_messages[field]
    assert "dsh-error" in beside.value and "press Enter" in beside.value
    row = next(c for c in _boxes(qi) if getattr(c, "children", None) and any(
        getattr(b, "children", None) and getattr(qi, field) in b.children for b in c.children))
    assert any(beside in b.children for b in row.children if hasattr(b, "children"))  # under its own box
    assert qi.stale.stale and STALE in qi.result._dom_classes and STALE in qi.timeline._dom_classes
    assert qi.result.value == result and qi.facts == good
    getattr(qi, field).value = getattr(good, field).isoformat()
    assert qi.problems_shown == "" and not qi.stale.stale and STALE not in qi.result._dom_classes


def test_problems_go_to_the_box_that_caused_them():
    problems = ["decision_date: value '1990-01-01' is before the conduct_date '1998-09-24'; allowed: ...",
                "act_kind: needs assurance_to_assailant"]
    boxes = {"conduct_date": None, "decision_date": None}
    assert problems_by_box(problems, boxes, "conduct_date") == {"conduct_date": [problems[0]], None: [problems[1]]}
    assert problems_by_box(problems, boxes, "act_kind") == {"decision_date": [problems[0]], None: [problems[1]]}
    assert problems_by_box([], boxes) == {}


def test_no_stylesheet_of_the_labs_uses_has():
    """`:has()` made Chromium check the whole lab again on every redraw (the bench measured the
    answers, table and chart painted about twice as late with it): the stale dimming and the open
    circuit's hidden facts are said with classes and sibling selectors instead."""
    from pathlib import Path

    from helpers import rendering

    static = Path(rendering.__file__).parent / "static"
    sheets = {"rendering.CSS": rendering.CSS, **{p.name: p.read_text() for p in static.glob("*.css")}}
    assert len(sheets) > 2
    assert [name for name, text in sheets.items() if ":has(" in text] == []
