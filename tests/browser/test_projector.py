"""The projector view in a real Chromium: all twelve answers on the first screen of the classroom
page at 1280x720 (100% and 150% zoom) and 1024x768, nothing clipped; a click, a tap or the
keyboard opens a circuit's reasons; and in JupyterLab at 1024 px with the file browser open.

Screenshots go to tests/browser/artifacts/projector-*.png.
"""
from __future__ import annotations

import pytest

from bench import browser as drive
from helpers import compare
from helpers.cases import find_case
from helpers.facts import CIRCUITS

pytestmark = pytest.mark.browser

#: (name, CSS viewport, device scale): 150% zoom of a 1280x720 screen is an 853x480 CSS viewport.
SCREENS = [
    ("1280x720", {"width": 1280, "height": 720}, 1),
    ("1280x720-150pct", {"width": 853, "height": 480}, 1.5),
    ("1024x768", {"width": 1024, "height": 768}, 1),
]
KENNEDY = "kennedy_v_ridgefield_2006"

# Per circuit row of the strip: its box, and any cell whose text does not fit (clipped).
JS_STRIP = """() => [...document.querySelectorAll('.deshaney-projector tr[data-circuit]')].map(r => {
  const b = r.getBoundingClientRect();
  const clipped = [...r.children].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.dataset.field || 'circuit');
  return {circuit: r.dataset.circuit, top: b.top, bottom: b.bottom, left: b.left, right: b.right, clipped,
          text: r.innerText.replace(/\\s+/g, ' ').trim(), outcome: r.dataset.outcome};
})"""
JS_VIEW = "() => ({w: window.innerWidth, h: window.innerHeight, scrollW: document.documentElement.scrollWidth, y: window.scrollY})"


def expected_outcomes(facts) -> dict[str, str]:
    return {a.circuit: ("none" if not a.violation else "granted" if a.qualified_immunity else "denied")
            for a in compare(facts).results}


def assert_twelve_on_screen(page, where: str, right_edge: float | None = None) -> list[dict]:
    rows = page.evaluate(JS_STRIP)
    view = page.evaluate(JS_VIEW)
    right_edge = view["w"] if right_edge is None else right_edge
    assert [r["circuit"] for r in rows] == list(CIRCUITS), f"{where}: the strip does not list the twelve circuits"
    for r in rows:
        assert r["top"] >= 0 and r["bottom"] <= view["h"] + 0.5, f"{where}: {r['circuit']} is off the first screen: {r}"
        assert r["left"] >= 0 and r["right"] <= right_edge + 0.5, f"{where}: {r['circuit']} is cut off at the side: {r}"
        assert not r["clipped"], f"{where}: {r['circuit']}'s {r['clipped']} does not fit"
        # two prongs marked, then the immunity answer in words (a cross before "granted" read as "not granted")
        assert r["text"].count("\u2713") + r["text"].count("\u2717") == 2, f"{where}: {r['text']}"
        assert r["text"].split()[-1] in ("granted", "denied"), f"{where}: {r['text']}"
    return rows


@pytest.fixture(scope="module")
def screens(playwright_browser, voila, artifacts):
    """The classroom page opened at each screen size, Kennedy's facts loaded from the menu."""
    opened = {}
    contexts = []
    for name, viewport, scale in SCREENS:
        ctx = playwright_browser.new_context(viewport=viewport, device_scale_factor=scale)
        ctx.set_default_timeout(60_000)
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        outside: list[str] = []
        page.on("request", lambda r, outside=outside: outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
        drive.open_voila(page, voila["circuit_lab"])
        opened[name] = (page, errors, outside)
    yield opened
    for ctx in contexts:
        ctx.close()


@pytest.mark.parametrize("name", [s[0] for s in SCREENS])
def test_all_twelve_answers_on_the_first_screen_nothing_clipped(screens, name, artifacts):
    page, errors, outside = screens[name]
    page.evaluate("() => window.scrollTo(0, 0)")
    assert_twelve_on_screen(page, name)
    view = page.evaluate(JS_VIEW)
    assert view["scrollW"] <= view["w"] + 1, f"{name}: the page scrolls sideways ({view})"
    page.screenshot(path=str(artifacts / f"projector-{name}.png"))
    # Load a real case: every row and every tile of the map follows, still on the first screen.
    case = find_case(KENNEDY)
    want = expected_outcomes(case.facts)
    page.locator(drive.CASE_MENU).first.select_option(value=case.label)
    page.wait_for_function("""(want) => Object.entries(want).every(([c, o]) =>
        document.querySelector(`.deshaney-projector tr[data-circuit="${c}"]`)?.dataset.outcome === o)""", arg=want)
    # The caption names the case once the rest of the page has followed the answers.
    page.wait_for_function("(label) => document.querySelector('.dsh-proj-caption').innerText.startsWith(label)",
                           arg=case.label)
    page.evaluate("() => window.scrollTo(0, 0)")
    rows = assert_twelve_on_screen(page, name)
    assert {r["circuit"]: r["outcome"] for r in rows} == want
    tiles = page.evaluate("() => [...document.querySelectorAll('.dsh-proj-tile')].map(t => [t.dataset.circuit, t.dataset.outcome])")
    assert len(tiles) == 55 and all(o == want[c] for c, o in tiles)
    ninth = next(r for r in rows if r["circuit"] == "ca9")
    assert ninth["text"] == "9th \u2713 yes \u2713 yes denied"  # Kennedy: a violation, clearly established
    page.screenshot(path=str(artifacts / f"projector-{name}-kennedy.png"))
    assert not errors, errors
    assert not outside, f"fetched from outside 127.0.0.1: {outside[:3]}"


def test_a_click_a_tap_or_the_keyboard_opens_a_circuits_reasons(screens, artifacts):
    page, _, _ = screens["1280x720"]
    detail = page.locator(".dsh-proj-detail")
    # The keyboard: Tab to the Ninth Circuit's button, Enter opens, Esc closes.
    page.locator('.deshaney-projector tr[data-circuit="ca9"] button').focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.dsh-proj-detail .dsh-card[data-circuit=\"ca9\"]')")
    text = detail.inner_text()
    assert "Ninth Circuit" in text and "Prong two" in text and "Rests on:" in text
    assert page.locator(".dsh-proj-detail li").count() >= 4, "every element with its reason"
    box = detail.bounding_box()
    assert box and box["y"] + 40 < 720, "the reasons open on the first screen"
    page.screenshot(path=str(artifacts / "projector-1280x720-ninth-opened.png"))
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('.dsh-proj-detail').hidden")
    assert page.locator(".dsh-proj-map").is_visible()
    assert page.evaluate("() => document.activeElement.closest('tr')?.dataset.circuit") == "ca9", "focus goes back"
    # A click (or tap) on a state opens its circuit.
    page.locator('.dsh-proj-tile[data-state="TX"]').click()
    page.wait_for_function("() => document.querySelector('.dsh-proj-detail .dsh-card[data-circuit=\"ca5\"]')")
    assert "Fifth Circuit" in detail.inner_text()
    page.locator(".dsh-proj-close").click()
    page.wait_for_function("() => document.querySelector('.dsh-proj-detail').hidden")


def test_the_element_table_keeps_its_answers_in_view_at_1024(screens, artifacts):
    page, _, _ = screens["1024x768"]
    table = page.locator(".deshaney-circuit-table .dsh-scroll").first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1024 + 0.5, f"the table's box is cut off: {box}"
    cells = page.evaluate("""() => [...document.querySelectorAll('.deshaney-circuit-table tr[data-circuit] [data-field="qualified_immunity"]')]
        .map(c => c.getBoundingClientRect().right)""")
    assert len(cells) == 12 and max(cells) <= box["x"] + box["width"] + 0.5, "the immunity column is cut off"
    head = page.locator(".deshaney-circuit-table thead th").first
    assert page.evaluate("(e) => getComputedStyle(e).position", head.element_handle()) == "sticky"
    # Each element's reason opens on a click (or a tap), and from the keyboard.
    chip = page.locator('.deshaney-circuit-table tr[data-circuit="ca9"] details.dsh-el').first
    chip.locator("summary").click()
    assert chip.locator(".dsh-why").is_visible() and "(" in chip.locator(".dsh-why").inner_text()
    table.screenshot(path=str(artifacts / "projector-1024x768-element-table.png"))
    chip.locator("summary").focus()
    page.keyboard.press("Enter")
    assert not chip.locator(".dsh-why").is_visible()


def test_jupyterlab_at_1024_with_the_file_browser_open(playwright_browser, jupyterlab, artifacts):
    ctx = playwright_browser.new_context(viewport={"width": 1024, "height": 768})
    ctx.set_default_timeout(120_000)
    page = ctx.new_page()
    try:
        drive.open_lab_notebook(page, jupyterlab, "notebooks/05_circuit_lab.ipynb")
        if not page.evaluate("() => window.jupyterapp.shell.leftCollapsed === false"):
            page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
        page.wait_for_selector(".jp-FileBrowser", state="visible")
        strip = page.locator(".deshaney-projector").first
        strip.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        panel = page.locator(".jp-NotebookPanel:visible .jp-WindowedPanel-outer, .jp-NotebookPanel:visible .jp-Notebook").first
        right = panel.bounding_box()["x"] + panel.bounding_box()["width"]
        rows = page.evaluate(JS_STRIP)
        assert len(rows) == 12
        for r in rows:
            assert r["right"] <= right + 0.5 and not r["clipped"], f"{r['circuit']} is cut off: {r}"
        page.screenshot(path=str(artifacts / "projector-jupyterlab-1024-filebrowser.png"))
    finally:
        ctx.close()
