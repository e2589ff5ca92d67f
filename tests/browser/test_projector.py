"""The projector view in a real Chromium: the twelve answers AND every fact control on the first
screen of the classroom page at 1280x720 (100% and 150% zoom) and 1024x768, nothing clipped; the
type grows with the zoom; the page opens on a real case and names it after a change ("based on
..., changed: ..."); a click, a tap or the keyboard opens a circuit's reasons; the QI lab's year
slider and its answer on one screen; and in JupyterLab with the file browser open: the answers and
the facts in the notebook's view (at 150%, in project mode, switched on by itself: the facts picked
for it, or the ones a professor chose, a fact moved there changing the answers, the type larger than
at 100%), a circuit's card without a box of its own to scroll, and the test-card table scrolling
sideways with a cue.

Screenshots go to tests/browser/artifacts/projector-*.png (and qi-projector-*.png).
"""
from __future__ import annotations

import pytest

from bench import browser as drive
from helpers import compare
from helpers.cases import find_case
from helpers.demo import DEMO_CASE
from helpers.facts import CIRCUITS, vocabulary
from helpers.widgets import PROJECT_FACTS

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
# Per fact of the contract: the box of its control (a select, a text box, a checkbox) beside the answers.
JS_FACTS = """(ids) => ids.map(id => {
  const c = document.querySelector(`.deshaney-stage .deshaney-fact-${id}`);
  const input = c && c.querySelector('select, input');
  const b = input ? input.getBoundingClientRect() : null;
  return {fact: id, found: !!input, top: b && b.top, bottom: b && b.bottom, left: b && b.left, right: b && b.right,
          width: b && b.width, box: !!input && input.type === 'checkbox'};
})"""
CAPTION = "() => document.querySelector('.dsh-proj-caption').innerText"


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


def assert_facts_on_screen(page, where: str, box: dict | None = None, ids=None) -> list[dict]:
    """Every fact's control (or those of `ids`) inside `box` (top, bottom, left, right; default the
    window), and wide enough to use."""
    view = page.evaluate(JS_VIEW)
    box = box or {"top": 0, "bottom": view["h"], "left": 0, "right": view["w"]}
    facts = page.evaluate(JS_FACTS, list(ids or vocabulary()))
    for f in facts:
        assert f["found"], f"{where}: no control for {f['fact']} beside the answers"
        assert (f["top"] >= box["top"] - 0.5 and f["bottom"] <= box["bottom"] + 0.5 and f["left"] >= box["left"] - 0.5
                and f["right"] <= box["right"] + 0.5), f"{where}: the control for {f['fact']} is off the first screen: {f}"
        assert f["width"] >= (11 if f["box"] else 80), f"{where}: the control for {f['fact']} is squeezed: {f}"
    return facts


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
def test_the_answers_and_the_facts_on_the_first_screen_nothing_clipped(screens, name, artifacts):
    page, errors, outside = screens[name]
    # The page opens on a real case (not the all-defaults wall of "no"), named in the caption.
    case = find_case(DEMO_CASE)
    want = expected_outcomes(case.facts)
    page.wait_for_function("(label) => document.querySelector('.dsh-proj-caption').innerText.startsWith(label)",
                           arg=case.label)
    page.evaluate("() => window.scrollTo(0, 0)")
    rows = assert_twelve_on_screen(page, name)
    assert {r["circuit"]: r["outcome"] for r in rows} == want
    assert len(set(want.values())) > 1, "the opening case must split the circuits"
    assert_facts_on_screen(page, name)
    view = page.evaluate(JS_VIEW)
    assert view["scrollW"] <= view["w"] + 1, f"{name}: the page scrolls sideways ({view})"
    page.screenshot(path=str(artifacts / f"projector-{name}.png"))
    # A professor moves a fact: the answers follow, the case is still named, with what changed.
    drive.choose(page, "custody", "prison")
    changed = expected_outcomes(case.facts.with_(custody="prison"))
    page.wait_for_function("""(want) => Object.entries(want).every(([c, o]) =>
        document.querySelector(`.deshaney-projector tr[data-circuit="${c}"]`)?.dataset.outcome === o)""", arg=changed)
    page.wait_for_function("(want) => document.querySelector('.dsh-proj-caption').innerText.startsWith(want)",
                           arg=f"based on {case.label}, changed: custody")
    page.evaluate("() => window.scrollTo(0, 0)")
    assert_twelve_on_screen(page, name)
    assert_facts_on_screen(page, name)
    page.screenshot(path=str(artifacts / f"projector-{name}-changed.png"))
    # Load the case again from the menu: every row and every tile of the map follows.
    page.locator(drive.CASE_MENU).first.select_option(value=case.label)
    page.wait_for_function("""(want) => Object.entries(want).every(([c, o]) =>
        document.querySelector(`.deshaney-projector tr[data-circuit="${c}"]`)?.dataset.outcome === o)""", arg=want)
    page.wait_for_function("(label) => document.querySelector('.dsh-proj-caption').innerText.startsWith(label + ':')",
                           arg=case.label)
    page.evaluate("() => window.scrollTo(0, 0)")
    rows = assert_twelve_on_screen(page, name)
    assert {r["circuit"]: r["outcome"] for r in rows} == want
    tiles = page.evaluate("() => [...document.querySelectorAll('.dsh-proj-tile')].map(t => [t.dataset.circuit, t.dataset.outcome])")
    assert len(tiles) == 55 and all(o == want[c] for c, o in tiles)
    ninth = next(r for r in rows if r["circuit"] == "ca9")
    assert ninth["text"] == "9th \u2713 yes \u2713 yes denied"  # Kennedy: a violation, clearly established
    page.screenshot(path=str(artifacts / f"projector-{name}-kennedy.png"))
    page.locator(".dsh-proj-map").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"projector-{name}-map.png"))
    assert not errors, errors
    assert not outside, f"fetched from outside 127.0.0.1: {outside[:3]}"


def device_px(page, selector: str) -> float:
    """A text's size on the screen, in device pixels: its CSS font size times the zoom."""
    return page.evaluate("(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize) * devicePixelRatio",
                         selector)


def test_the_type_grows_with_the_zoom_and_the_map_reads_from_the_back(screens):
    at_100, at_150 = screens["1280x720"][0], screens["1280x720-150pct"][0]
    cell = '.deshaney-projector tr[data-circuit="ca1"] td'
    assert device_px(at_150, cell) > device_px(at_100, cell) * 1.1, "Ctrl + must make the answers larger"
    fact = ".deshaney-stage-facts .deshaney-fact-custody select"
    assert device_px(at_150, fact) > device_px(at_100, fact), "Ctrl + must make the facts larger"
    for page in (at_100, at_150):
        assert device_px(page, cell) >= 18
        for part in (".dsh-proj-legend", ".dsh-proj-hint", fact):
            assert device_px(page, part) >= 15, f"{part} is too small to read from the back"
        assert device_px(page, ".dsh-proj-tile") >= 13


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


QI_RESULT = ".deshaney-qi-result"
# The QI lab's year slider, its answer (the immunity line and both prongs' verdicts) and every checkbox
# label: boxes, and whether a label's text is wider than the room it is given (cut off with "...").
JS_QI = """() => {
  const box = (e) => { const b = e.getBoundingClientRect(); return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; };
  const q = (s) => document.querySelector(s);
  const labels = [...document.querySelectorAll('.deshaney-qi-lab .widget-checkbox label span')].map(s => {
    const r = document.createRange(); r.selectNodeContents(s);
    const text = r.getBoundingClientRect(), room = s.getBoundingClientRect();
    return {text: s.innerText, cut: text.right > room.right + 1 || text.bottom > room.bottom + 1
            || s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1,
            shown: room.width > 0, bottom: text.bottom, right: text.right};
  });
  return {slider: box(q('.deshaney-conduct-year')), handle: box(q('.deshaney-conduct-year .noUi-handle')),
          immunity: box(q('.deshaney-qi-result [data-field="qualified_immunity"] b')),
          verdicts: [...document.querySelectorAll('.deshaney-qi-result [data-field] > span > b')].map(box),
          labels, h: innerHeight, w: innerWidth, scrollW: document.documentElement.scrollWidth};
}"""


def assert_inside(b: dict, h: float, w: float, what: str) -> None:
    assert b["top"] >= 0 and b["bottom"] <= h + 0.5 and b["left"] >= 0 and b["right"] <= w + 0.5, f"{what} is off the first screen: {b}"


@pytest.mark.parametrize("name", ["1280x720", "1280x720-150pct"])
def test_the_qi_labs_year_slider_and_its_answer_on_one_screen(playwright_browser, voila, artifacts, name):
    _, viewport, scale = next(s for s in SCREENS if s[0] == name)
    ctx = playwright_browser.new_context(viewport=viewport, device_scale_factor=scale)
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    try:
        page.goto(voila["qi_lab"], wait_until="commit")
        page.wait_for_function(f"() => document.querySelector('{QI_RESULT} [data-field=\"qualified_immunity\"]')")
        page.evaluate("() => window.scrollTo(0, 0)")
        got = page.evaluate(JS_QI)
        assert_inside(got["slider"], got["h"], got["w"], f"{name}: the year slider")
        assert_inside(got["immunity"], got["h"], got["w"], f"{name}: the immunity answer")
        assert len(got["verdicts"]) == 2, got["verdicts"]
        for b in got["verdicts"]:
            assert_inside(b, got["h"], got["w"], f"{name}: a prong's verdict")
        assert got["scrollW"] <= got["w"] + 1, f"{name}: the page scrolls sideways"
        page.screenshot(path=str(artifacts / f"qi-projector-{name}.png"))
        # Move the year: the answer beside it follows, and nothing moves off the screen.
        before = page.locator(QI_RESULT).inner_text()
        page.locator(".deshaney-conduct-year .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"(b) => document.querySelector('{QI_RESULT}').innerText !== b", arg=before)
        assert "1999-" in page.locator(QI_RESULT).inner_text()
        page.evaluate("() => window.scrollTo(0, 0)")
        got = page.evaluate(JS_QI)
        assert_inside(got["slider"], got["h"], got["w"], f"{name}: the year slider, after a move")
        assert_inside(got["immunity"], got["h"], got["w"], f"{name}: the immunity answer, after a move")
        page.screenshot(path=str(artifacts / f"qi-projector-{name}-moved.png"))
        # Every checkbox's label whole (the Spar toggle's too), never cut off with "...".
        shown = [lab for lab in got["labels"] if lab["shown"]]
        assert len(shown) >= 2, got["labels"]
        assert not [lab for lab in shown if lab["cut"]], f"{name}: a checkbox label is cut off: {shown}"
    finally:
        ctx.close()


def notebook_box(page) -> dict:
    """The part of the window the notebook shows (between its toolbar and the status bar)."""
    return page.evaluate("""() => {
        const b = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer').getBoundingClientRect();
        return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; }""")


def open_lesson_05(playwright_browser, jupyterlab, viewport, scale=1, file_browser=True):
    ctx = playwright_browser.new_context(viewport=viewport, device_scale_factor=scale)
    ctx.set_default_timeout(120_000)
    page = ctx.new_page()
    drive.open_lab_notebook(page, jupyterlab, "notebooks/05_circuit_lab.ipynb")
    if file_browser:
        if not page.evaluate("() => window.jupyterapp.shell.leftCollapsed === false"):
            page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
        page.wait_for_selector(".jp-FileBrowser", state="visible")
    else:
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed")
    return ctx, page


def settled(page) -> None:
    """Wait on the page's state, not a fixed time: a scroll is laid out and painted by the second
    animation frame after it (the elements measured are already drawn when this is called)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


#: JupyterLab's settings. At 150% of 1280x720 with the file browser open the notebook shows 523x359 CSS
#: pixels, too little for twelve answers and twenty-four facts: there the lab switches to project mode
#: by itself (the answers as chips, the facts picked for it); in every other setting it shows them all.
LAB_SETTINGS = [("1280x720", True), ("1024x768", True), ("1280x720-150pct", False), ("1280x720-150pct", True)]
COMPACT = "() => document.querySelector('.deshaney-circuit-lab').classList.contains('dsh-compact')"
# The facts whose control is drawn (project mode hides the ones not picked).
JS_SHOWN_FACTS = """(ids) => ids.filter(id => { const c = document.querySelector(`.deshaney-stage .deshaney-fact-${id}`);
  const i = c && c.querySelector('select, input'); const b = i && i.getBoundingClientRect(); return !!b && b.width > 0 && b.height > 0; })"""


def in_kernel(page, code: str) -> None:
    """Run `code` in the notebook's kernel, as a professor's one-line cell would, and wait for it."""
    page.evaluate("""async (code) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const f = k.requestExecute({code, store_history: false}); let err = null;
        f.onIOPub = (m) => { if (m.header.msg_type === 'error') err = m.content.ename + ': ' + m.content.evalue; };
        await f.done; if (err) throw new Error(err); }""", code)


def shown_facts(page) -> list[str]:
    return page.evaluate(JS_SHOWN_FACTS, list(vocabulary()))


def wait_outcomes(page, want: dict) -> None:
    page.wait_for_function("""(want) => Object.entries(want).every(([c, o]) =>
        document.querySelector(`.deshaney-projector tr[data-circuit="${c}"]`)?.dataset.outcome === o)""", arg=want)


def zoom(page, viewport: dict, scale: float) -> None:
    """Ctrl + / Ctrl - on the open page: the CSS viewport and the device scale change together."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setDeviceMetricsOverride", {**viewport, "deviceScaleFactor": scale, "mobile": False})
    page.wait_for_function("(w) => innerWidth === w", arg=viewport["width"])
    settled(page)


def check_project_mode(page, name: str, artifacts) -> None:
    """Project mode, switched on by itself: the facts picked for it shown (the default, then a
    professor's own choice), every other fact one click away; a fact moved there changes the answers;
    the professor can turn it off and on; and the type is larger than at 100%."""
    box = notebook_box(page)
    assert shown_facts(page) == [f for f in vocabulary() if f in PROJECT_FACTS], "project mode shows the default picks"
    # The professor's choice, by a one-line call: exactly those facts, inside the notebook's view.
    chosen = ["custody", "danger_effect", "awareness"]
    in_kernel(page, f"lab.project(facts={chosen!r})")
    page.wait_for_function(f"(ids) => ({JS_SHOWN_FACTS})(ids).join() === {chosen!r}.join()", arg=list(vocabulary()))
    assert_facts_on_screen(page, f"JupyterLab {name}, the professor's facts", box, chosen)
    assert_twelve_on_screen(page, f"JupyterLab {name}, the professor's facts", right_edge=box["right"])
    page.screenshot(path=str(artifacts / f"projector-jupyterlab-{name}-project-chosen.png"))
    # A fact moved in project mode: the twelve answers follow.
    case = find_case(KENNEDY)
    wait_outcomes(page, expected_outcomes(case.facts))
    moved = expected_outcomes(case.facts.with_(danger_effect="none"))
    assert moved != expected_outcomes(case.facts), "the move must change some answer"
    drive.choose(page, "danger_effect", "none")
    wait_outcomes(page, moved)
    assert_twelve_on_screen(page, f"JupyterLab {name}, a fact moved", right_edge=box["right"])
    page.screenshot(path=str(artifacts / f"projector-jupyterlab-{name}-project-moved.png"))
    # "All facts": every control, one click away; a second click, the picks again.
    button = page.locator(".deshaney-stage .deshaney-all-facts").first
    button.click()
    page.wait_for_function(f"(ids) => ({JS_SHOWN_FACTS})(ids).length === ids.length", arg=list(vocabulary()))
    button.click()
    page.wait_for_function(f"(ids) => ({JS_SHOWN_FACTS})(ids).join() === {chosen!r}.join()", arg=list(vocabulary()))
    # Off: the whole panel, as on a large screen; "auto" again: project mode, as the room decides.
    in_kernel(page, "lab.project('off')")
    page.wait_for_function(f"() => !({COMPACT})()")
    assert len(shown_facts(page)) == len(vocabulary())
    in_kernel(page, f"lab.project('auto', facts={list(PROJECT_FACTS)!r}); lab.load_case({KENNEDY!r})")
    page.wait_for_function(COMPACT)
    wait_outcomes(page, expected_outcomes(case.facts))
    # Ctrl +: the answers' type at 150% is larger on the screen than at 100%.
    cell = '.deshaney-projector tr[data-circuit="ca1"] td[data-field="violation"]'
    at_150 = device_px(page, cell)
    zoom(page, {"width": 1280, "height": 720}, 1)
    at_100 = device_px(page, cell)
    zoom(page, {"width": 853, "height": 480}, 1.5)
    page.wait_for_function(COMPACT)
    assert at_150 > at_100 * 1.1, f"Ctrl + must make the answers larger: {at_100} px at 100%, {at_150} px at 150%"
    assert at_150 >= 18, f"a prong's answer in a chip is too small to read from the back: {at_150} px"


@pytest.mark.parametrize("name,file_browser", LAB_SETTINGS)
def test_jupyterlab_answers_facts_card_and_test_cards(playwright_browser, jupyterlab, artifacts, name, file_browser):
    _, viewport, scale = next(s for s in SCREENS if s[0] == name)
    ctx, page = open_lesson_05(playwright_browser, jupyterlab, viewport, scale, file_browser)
    name = f"{name}-{'filebrowser' if file_browser else 'nobrowser'}"
    try:
        # The lab's stage at the top of the notebook's view: the twelve answers and every fact in it.
        stage = page.locator(".deshaney-stage").first
        stage.evaluate("e => e.scrollIntoView({block: 'start'})")
        settled(page)
        box = notebook_box(page)
        rows = assert_twelve_on_screen(page, f"JupyterLab {name}", right_edge=box["right"])
        assert all(r["top"] >= box["top"] - 0.5 and r["bottom"] <= box["bottom"] + 0.5 for r in rows), \
            f"JupyterLab {name}: an answer is outside the notebook's view: {rows}"
        # Project mode only where the room is too small for the whole panel.
        compact = page.evaluate(COMPACT)
        assert compact == (name == "1280x720-150pct-filebrowser"), f"JupyterLab {name}: project mode is {compact}"
        assert_facts_on_screen(page, f"JupyterLab {name}", box, PROJECT_FACTS if compact else None)
        page.screenshot(path=str(artifacts / f"projector-jupyterlab-{name}.png"))
        if compact:
            check_project_mode(page, name, artifacts)
            stage.evaluate("e => e.scrollIntoView({block: 'start'})")
            settled(page)
        # A circuit's card: type of the notebook's size, no box of its own to scroll, its title clear
        # of the close button.
        page.locator('.deshaney-projector tr[data-circuit="ca9"] button').first.click()
        page.wait_for_function("() => document.querySelector('.dsh-proj-detail .dsh-card[data-circuit=\"ca9\"]')")
        card = page.evaluate("""() => { const d = document.querySelector('.dsh-proj-detail');
            const close = d.querySelector('.dsh-proj-close').getBoundingClientRect();
            const title = d.querySelector('.dsh-card h4').getBoundingClientRect();
            return {font: parseFloat(getComputedStyle(d).fontSize), overflow: getComputedStyle(d).overflowY,
                    scrolls: d.scrollHeight > d.clientHeight + 1, closeBottom: close.bottom, titleTop: title.top,
                    overlap: !(close.bottom <= title.top || close.top >= title.bottom || close.right <= title.left
                               || close.left >= title.right)}; }""")
        assert card["font"] <= 14, f"the card uses projector-size type in JupyterLab: {card}"
        assert not card["scrolls"] and card["overflow"] not in ("auto", "scroll"), f"the card is a scroll box: {card}"
        assert not card["overlap"] and card["closeBottom"] <= card["titleTop"] + 0.5, f"the title collides: {card}"
        page.screenshot(path=str(artifacts / f"projector-jupyterlab-{name}-ninth-opened.png"))
        page.keyboard.press("Escape")
        # The test cards' table: inside the notebook, scrolling sideways with a cue when it is wider.
        table = page.locator(".dw-card .dw-scroll").first
        table.evaluate("e => e.scrollIntoView({block: 'start'})")
        settled(page)
        got = table.evaluate("""(e) => { const b = e.getBoundingClientRect(); const first = e.querySelector('tbody th');
            const hint = e.previousElementSibling;
            return {left: b.left, right: b.right, wider: e.scrollWidth > e.clientWidth + 1,
                    overflow: getComputedStyle(e).overflowX, sticky: getComputedStyle(first).position,
                    hint: hint && hint.classList.contains('dw-scroll-hint') ? hint.innerText : '',
                    hintShown: hint ? hint.getBoundingClientRect().height > 0 : false}; }""")
        box = notebook_box(page)
        assert got["left"] >= box["left"] - 0.5 and got["right"] <= box["right"] + 0.5, f"the test cards stick out: {got}"
        if got["wider"]:
            assert got["overflow"] in ("auto", "scroll"), f"the test cards are cut off: {got}"
            assert got["sticky"] == "sticky" and got["hintShown"] and "scroll it sideways" in got["hint"], got
            before = table.evaluate("e => e.querySelector('tbody th').getBoundingClientRect().left")
            table.evaluate("e => { e.scrollLeft = 400; }")
            settled(page)
            assert abs(table.evaluate("e => e.querySelector('tbody th').getBoundingClientRect().left") - before) < 1, \
                "the first column must stay put"
        page.screenshot(path=str(artifacts / f"projector-jupyterlab-{name}-test-cards.png"))
    finally:
        ctx.close()
