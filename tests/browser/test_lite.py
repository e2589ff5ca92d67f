"""The JupyterLite site (lite/_output) in Debian's Chromium, with nothing outside 127.0.0.1.

The site is served by a static file server on 127.0.0.1 (as any static host would); every
request to another address is aborted and counted, and there must be none. Each lesson runs
to the end with no error output; the circuit lab answers a changed fact (a widget round trip
through the Pyodide kernel); an answer saved in one page is there after a reload and in a new
tab, and the hand-in CSV downloads from the page. `make test` builds the site first when a Python
>= 3.12 is found; when the site is not there (no such Python), these tests skip and say how to
build it. Screenshots and timings go to tests/browser/artifacts/.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from bench import browser as drive
from helpers.demo import stop
from helpers.exercises import grade, load_lesson

ROOT = Path(__file__).resolve().parents[2]
#: The built site; DESHANEY_LITE_SITE points the tests at another build (or at none, to test the skip).
SITE = Path(os.environ.get("DESHANEY_LITE_SITE") or ROOT / "lite" / "_output")


def site_is_built(site: Path) -> bool:
    return (site / "index.html").exists() and (site / "static" / "pyodide-lock" / "pyodide-lock.json").exists()


pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not site_is_built(SITE), reason=f"the Lite site ({SITE}) is not built: run `make lite`"
                                 " (it needs Python >= 3.12; `make lite LITE_PYTHON=/path/to/python3.12`)")]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
LAB_LESSON = "05_circuit_lab"
TIMEOUT = 180_000

# Every code cell has run (or one raised and the rest were skipped) and the kernel is idle.
# Outputs are read from the notebook's model: its DOM may not have drawn them yet.
JS_RUN_DONE = """() => { const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.sessionContext || w.sessionContext.kernelDisplayStatus !== 'idle') return false;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const failed = cells.some(c => c.model.sharedModel.outputs.some(o => o.output_type === 'error'));
  return failed || cells.every(c => c.model.executionCount !== null); }"""
# Per code cell: its error outputs (name, value, traceback without colours) and its stderr text.
JS_OUTPUTS = """(kind) => { const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const strip = (t) => t.replace(/\\x1b\\[[0-9;]*m/g, '');
  return cells.flatMap((c, i) => c.model.sharedModel.outputs
    .filter(o => kind === 'error' ? o.output_type === 'error' : (o.output_type === 'stream' && o.name === 'stderr'))
    .map(o => `code cell ${i + 1}: ` + (kind === 'error'
       ? `${o.ename}: ${o.evalue}\\n` + strip((o.traceback || []).join('\\n')).slice(0, 1500)
       : strip([].concat(o.text).join('')).slice(0, 500)))); }"""
@pytest.fixture(scope="module")
def site() -> Path:
    """lite/_output, as `make lite` built it (the module skips when it is not there)."""
    return SITE


@pytest.fixture(scope="module")
def lite_url(site, artifacts):
    """The site served as any static host serves it: Python's http.server on 127.0.0.1."""
    with open(artifacts / "lite-server.log", "wb") as log:
        proc, port = drive.serve_static(site, log)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(proc)


@pytest.fixture(scope="module")
def outside() -> list[str]:
    """Every request the browser tried to send outside 127.0.0.1 (each was aborted)."""
    return []


def new_context(playwright_browser, outside: list[str]):
    """A fresh browser profile (its own IndexedDB: the student's drive) with every other host blocked."""
    return drive.lite_context(playwright_browser, outside, TIMEOUT, accept_downloads=True)


def open_notebook(page, lite_url: str, notebook: str) -> dict:
    """Open a lesson in JupyterLite, run every cell, wait; seconds to kernel and to the end."""
    t0 = time.perf_counter()
    page.goto(f"{lite_url}/lab/index.html?path=notebooks/{notebook}", wait_until="domcontentloaded")
    page.wait_for_function(drive.JS_LITE_KERNEL_IDLE, arg=f"notebooks/{notebook}", timeout=TIMEOUT, polling=250)
    kernel = time.perf_counter() - t0
    drive.dismiss_toasts(page)
    page.evaluate("() => { window.__first = null; window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                           " const c = w.content.widgets.find(c => c.model.type === 'code');"
                           " return c && c.model.executionCount !== null; }", timeout=TIMEOUT, polling=100)
    first = time.perf_counter() - t0
    page.wait_for_function(JS_RUN_DONE, timeout=TIMEOUT, polling=250)
    drive.dismiss_toasts(page)
    drive.reveal_held_labs(page)
    return {"kernel_ready_s": round(kernel, 1), "first_cell_s": round(first, 1),
            "all_cells_s": round(time.perf_counter() - t0, 1)}


def close_all(page) -> None:
    """Close every tab unsaved (and shut its kernel), so the next page load restores none."""
    page.evaluate("async () => { const app = window.jupyterapp;"
                  " for (const w of [...app.shell.widgets('main')]) if (w.context) w.context.model.dirty = false;"
                  " await app.commands.execute('application:close-all');"
                  " await window.jupyterapp.serviceManager.sessions.refreshRunning();"
                  " for (const s of [...window.jupyterapp.serviceManager.sessions.running()])"
                  "   await window.jupyterapp.serviceManager.sessions.shutdown(s.id); }")


def execute(page, code: str) -> str:
    return page.evaluate(drive.JS_KERNEL_EXECUTE, code)


@pytest.fixture(scope="module")
def run(playwright_browser, outside, lite_url, artifacts):
    """Every lesson run in turn, each in a fresh profile: timings, tracebacks, stderr, page errors.
    The circuit lab's profile and page stay open for the widget and progress tests."""
    results, kept = {}, {}
    t0 = time.perf_counter()
    for nb in NOTEBOOKS:
        ctx = new_context(playwright_browser, outside)
        page = ctx.new_page()
        page_errors: list[str] = []
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        result = open_notebook(page, lite_url, nb)
        result["errors"] = page.evaluate(JS_OUTPUTS, "error")
        result["stderr"] = page.evaluate(JS_OUTPUTS, "stderr")
        result["element_tables"] = page.locator(".deshaney-element-table").count()
        result["page_errors"] = page_errors
        page.screenshot(path=str(artifacts / f"lite-{nb.removesuffix('.ipynb')}.png"))
        results[nb] = result
        if nb == f"{LAB_LESSON}.ipynb":
            kept.update(context=ctx, page=page)
        else:
            ctx.close()
    results["_total_s"] = round(time.perf_counter() - t0, 1)
    (artifacts / "lite-lessons.json").write_text(json.dumps(results, indent=1))
    yield results, kept
    if kept:
        kept["context"].close()


@pytest.fixture(scope="module")
def lessons(run):
    return run[0]


@pytest.fixture(scope="module")
def lite_context(run):
    """The circuit lab's profile: its drive holds the progress the tests save."""
    return run[1]["context"]


LOADING = "#deshaney-python-loading"


def test_the_page_says_python_is_loading_until_the_first_cell_has_run(playwright_browser, outside, lite_url,
                                                                      artifacts):
    """A first visit: the lesson opens and Python loads for many seconds with only "[*]" to show
    for it; the page says so from its first paint until a cell has run (lite/build.py adds it)."""
    ctx = new_context(playwright_browser, outside)
    page = ctx.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(f"{lite_url}/lab/index.html?path=notebooks/{NOTEBOOKS[0]}", wait_until="domcontentloaded")
        note = page.locator(LOADING)
        note.wait_for(state="visible", timeout=10_000)
        shown = time.perf_counter() - t0
        assert "Loading Python and the workbook (about 20 seconds the first time)" in note.inner_text()
        page.wait_for_function("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                               " return w && w.content && w.content.widgets"
                               " && w.content.widgets.some(c => c.model.type === 'code'); }",
                               timeout=TIMEOUT, polling=250)
        assert note.is_visible(), "the note went before any cell ran"
        page.screenshot(path=str(artifacts / "lite-loading-note.png"))
        # JupyterLab asks for a kernel if a cell is run before the session exists: run once it does.
        page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                               " return w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
                               " && w.sessionContext.kernelDisplayStatus === 'idle'; }", timeout=TIMEOUT, polling=250)
        python_ready = time.perf_counter() - t0
        assert note.is_visible(), "the note went before any cell ran"
        page.evaluate("() => { const w = window.jupyterapp.shell.currentWidget;"
                      " w.content.activeCellIndex = w.content.widgets.findIndex(c => c.model.type === 'code');"
                      " window.jupyterapp.commands.execute('notebook:run-cell'); }")
        page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                               " const c = w.content.widgets.find(c => c.model.type === 'code');"
                               " return c.model.executionCount !== null; }", timeout=TIMEOUT, polling=250)
        ran = time.perf_counter() - t0
        note.wait_for(state="detached", timeout=5_000)
        (artifacts / "lite-loading-note.json").write_text(json.dumps(
            {"note_shown_s": round(shown, 1), "python_ready_s": round(python_ready, 1),
             "first_cell_run_s": round(ran, 1)}))
    finally:
        ctx.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_lesson_runs_to_the_end(lessons, notebook):
    result = lessons[notebook]
    assert not result["errors"], f"notebooks/{notebook} raised in JupyterLite:\n{result['errors'][0]}"


@pytest.fixture(scope="module")
def lab_page(run, lessons):
    """notebooks/05_circuit_lab.ipynb as the lesson run left it: every cell run, the lab drawn."""
    assert not lessons[f"{LAB_LESSON}.ipynb"]["errors"], "the circuit lab did not run"
    page = run[1]["page"]
    drive.wait_table(page)
    return page


def test_a_widget_round_trip(lab_page, artifacts):
    page = lab_page
    select = drive.fact_select(page, "custody")
    select.scroll_into_view_if_needed()
    t0 = time.perf_counter()
    before, after = drive.change_and_wait(page, lambda: drive.choose(page, "custody", "prison"), timeout=60_000)
    elapsed = time.perf_counter() - t0
    assert before != after, "the circuit table did not change when the custody fact did"
    page.locator(drive.TABLE).first.screenshot(path=str(artifacts / "lite-circuit-lab-changed.png"))
    (artifacts / "lite-round-trip.json").write_text(json.dumps({"custody_change_to_table_s": round(elapsed, 3)}))


PROBE = "deshaney-block-probe"


def test_the_element_table_renders_without_pandas(lessons):
    """Lesson 04 shows a precedent's elements as a table; the browser has no pandas."""
    assert lessons["04_culpability.ipynb"]["element_tables"] >= 1


def test_the_block_catches_the_page_and_the_kernel(lab_page, outside):
    """The count below is only worth something if a request from the page, or from the kernel's
    worker, is caught: send one of each to another host and see both counted."""
    said = lab_page.evaluate(f"() => fetch('http://example.com/{PROBE}-page').then(() => 'sent', () => 'blocked')")
    assert said == "blocked"
    said = execute(lab_page, f"import js\nawait js.fetch('http://example.com/{PROBE}-kernel')")
    assert "ERROR" in said, said
    assert any(f"{PROBE}-page" in u for u in outside) and any(f"{PROBE}-kernel" in u for u in outside), outside


def one_answer_exercise():
    for ex in load_lesson(LAB_LESSON).exercises:
        if ex.select != "one":
            continue
        right = [i for i, c in enumerate(ex.choices) if grade(ex, c.id).correct]
        if right:
            return ex, right[0]
    raise AssertionError(f"lessons/{LAB_LESSON}/exercises.yaml has no one-answer exercise")


SAVED = ("from helpers.progress import default_store\n"
         "print(sorted({(a.lesson, a.exercise, a.correct) for a in default_store().attempts()}))")


def test_progress_survives_a_reload_and_a_closed_tab(lab_page, lite_context, lite_url, artifacts):
    page = lab_page
    ex, right = one_answer_exercise()
    box = page.locator(f".deshaney-exercise-{ex.id}").first
    box.scroll_into_view_if_needed()
    box.locator(".deshaney-choices input[type=radio]").nth(right).check()
    box.locator("button.deshaney-check").click()
    box.locator(".deshaney-feedback .deshaney-feedback-right").wait_for()
    expected = f"('{LAB_LESSON}', '{ex.id}', True)"
    assert expected in execute(page, SAVED)
    listing = page.evaluate("async () => (await window.jupyterapp.serviceManager.contents.get('')).content"
                            ".map(f => f.name)")
    assert "progress.sqlite3" in listing, f"no progress file in the drive: {listing}"

    open_notebook(page, lite_url, f"{LAB_LESSON}.ipynb")  # the same address again: a reload
    assert expected in execute(page, SAVED), "the answer was lost on reload"
    page.screenshot(path=str(artifacts / "lite-after-reload.png"))
    close_all(page)

    page.close()  # the tab closed; a new one opened on another lesson
    tab = lite_context.new_page()
    open_notebook(tab, lite_url, "01_deshaney.ipynb")
    assert expected in execute(tab, SAVED), "the answer was lost when the tab closed"

    link = execute(tab, "from helpers.exercises import download_link\nprint(download_link())")
    assert 'download="progress.csv"' in link, link
    # On the page as the hand-in cell would show it (above JupyterLab's panels, so it can be clicked).
    tab.evaluate("(html) => { const d = document.createElement('div'); d.id = 'hand-in-test';"
                 " d.style.cssText = 'position:fixed;top:45%;left:40%;z-index:100000;background:#fff;padding:8px';"
                 " d.innerHTML = html; document.body.append(d); }", link)
    with tab.expect_download() as got:
        tab.locator("#hand-in-test a").click()
    csv_path = artifacts / "lite-progress.csv"
    got.value.save_as(csv_path)
    text = csv_path.read_text(encoding="utf-8")
    assert text.startswith("student,lesson,exercise,correct,answer,answered_at")
    assert re.search(rf"{LAB_LESSON},{re.escape(ex.id)},yes,", text), text
    tab.close()


def test_the_name_is_asked_once_and_names_the_hand_in(lite_context, lite_url, artifacts):
    """The browser version asks the student's name in the page, keeps it in the browser's storage with
    her progress, names the hand-in file by it, and a new tab (a new kernel) does not ask again."""
    page = lite_context.new_page()
    open_notebook(page, lite_url, f"{LAB_LESSON}.ipynb")
    prompt = page.locator(".deshaney-name-prompt").first
    prompt.scroll_into_view_if_needed()
    prompt.locator(".deshaney-name-text input").fill("Jane Doe")
    prompt.locator("button.deshaney-name-save").click()
    page.locator(".deshaney-name-saved").first.wait_for()
    page.screenshot(path=str(artifacts / "lite-name-saved.png"))
    link = execute(page, "from helpers.exercises import download_link\nprint(download_link())")
    assert 'download="handin-jane-doe.csv"' in link, link
    close_all(page)
    page.close()

    tab = lite_context.new_page()
    open_notebook(tab, lite_url, "01_deshaney.ipynb")
    assert tab.locator(".deshaney-name-prompt").count() == 0, "a new tab asked for the name again"
    said = execute(tab, "from helpers.exercises.naming import needs_name\nfrom helpers.progress import default_store\n"
                        "print(needs_name(default_store()), default_store().given_name())")
    assert said.strip() == "False Jane Doe", said
    tab.close()


def test_nothing_is_requested_outside_the_site(lessons, outside, artifacts):
    """Last: every lesson, the widget, the reload and the new tab sent nothing outside 127.0.0.1."""
    assert lessons
    real = sorted({u for u in outside if PROBE not in u})
    (artifacts / "lite-outside-requests.json").write_text(json.dumps({"blocked": real, "probes": len(outside) - len(real)}))
    assert not real, f"{len(real)} requests outside 127.0.0.1 (blocked): {real[:10]}"
