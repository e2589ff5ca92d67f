"""The class report opens in Chromium with its charts drawn (plotly's _fullData is filled), and no
empty axes: a chart with no data is a sentence."""
from __future__ import annotations

import pytest

from helpers.classreport import class_report
from helpers.progress import ProgressStore

pytestmark = pytest.mark.browser


def _hand_in(tmp_path, student, answers):
    store = ProgressStore(tmp_path / f"{student}.sqlite3")
    assert store.set_name(student).ok  # as the workbook asks, once
    for lesson, exercise, correct, answer in answers:
        store.record(lesson, exercise, correct, answer)
    out = tmp_path / f"{student}.csv"
    store.export_csv(out)
    return out


def test_class_report_page_draws_its_charts(tmp_path, playwright_browser):
    weak = "cite=wood_v_ostrander_1989"
    strong = ("cite=l_w_v_grubbs_1992;distinguish=act_kind;counter=l_w_v_grubbs_1996;"
              "rebut=distinction_immaterial")
    files = [
        _hand_in(tmp_path, "ada", [("06_qualified_immunity", "kennedy_three_ply", False, weak),
                                   ("06_qualified_immunity", "kennedy_three_ply", True, strong),
                                   ("03_state_created_danger", "kennedy_predict_awareness", False, "ca9")]),
        _hand_in(tmp_path, "ben", [("06_qualified_immunity", "kennedy_three_ply", True, strong),
                                   ("03_state_created_danger", "kennedy_predict_awareness", False, "ca1,ca9")]),
    ]
    page, data = class_report(files, tmp_path / "report.html")
    assert data.students == {"ada", "ben"}
    ctx = playwright_browser.new_context()
    tab = ctx.new_page()
    try:
        tab.goto(page.resolve().as_uri())
        tab.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4", timeout=30000)
        drawn = tab.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
            el => ({traces: (el._fullData || []).length, bars: el.querySelectorAll('.bars .point').length,
                    title: (el._fullLayout && el._fullLayout.title && el._fullLayout.title.text) || ''}))""")
    finally:
        ctx.close()
    titles = [d["title"] for d in drawn]
    assert any(t.startswith("First-try accuracy") for t in titles)
    assert any(t.startswith("Most-missed circuits") for t in titles)
    assert any(t.startswith("Argument moves chosen") for t in titles)
    first = next(d for d in drawn if d["title"].startswith("First-try"))
    assert first["traces"] == 1 and first["bars"] == 2  # two exercises, each a drawn bar
    circuits = next(d for d in drawn if d["title"].startswith("Most-missed circuits"))
    assert circuits["bars"] >= 7  # the predictions missed the circuits the flip changes
    assert all(d["bars"] > 0 for d in drawn), drawn  # no chart drawn without data
    html = page.read_text(encoding="utf-8")
    assert "no element was ticked wrongly" in html and "no characterise exercise" in html
