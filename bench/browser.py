"""Driving the labs in Debian's Chromium with Playwright: shared by tests/browser and the bench.

Everything is found by the CSS classes the widgets promise (deshaney-circuit-lab,
deshaney-fact-<id>, deshaney-circuit-table, deshaney-chart, deshaney-case-menu, ...).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from helpers.demo import ROOT, free_port, server_env, wait_for_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1800}

TABLE = ".deshaney-circuit-table"
PROJECTOR = ".deshaney-projector"
CHART_PLOT = ".deshaney-chart .dsh-chart-grid"
CASE_MENU = ".deshaney-case-menu select"

# The table's text, row by row, or null while it is not drawn.
JS_TABLE = """() => {
  const t = document.querySelector('.deshaney-circuit-table');
  if (!t) return null;
  const rows = [...t.querySelectorAll('tr[data-circuit]')];
  return rows.length ? rows.map(r => r.innerText.trim()).join('\\n') : null;
}"""
# Per circuit, the text of the cells the test reads.
JS_CELLS = """(field) => Object.fromEntries(
  [...document.querySelectorAll('.deshaney-circuit-table tr[data-circuit]')].map(r => {
    const c = r.querySelector(`[data-field="${field}"]`);
    return [r.dataset.circuit, c ? c.innerText.trim() : null];
  }))"""
# What the element chart shows: each row's cells' values (1, 0 or null for blank), as JSON, or
# null while it is not drawn (JS_CHART_Z, shared with the bench's signatures).
JS_CHART_Z = """(() => {
  const rows = [...document.querySelectorAll('.deshaney-chart .dsh-chart-grid tbody tr')];
  if (!rows.length || rows.some(r => [...r.querySelectorAll('td')].some(td => td.dataset.z === undefined))) return null;
  return JSON.stringify(rows.map(r => [...r.querySelectorAll('td')].map(td => td.dataset.z === '' ? null : Number(td.dataset.z))));
})()"""
JS_CHART = f"() => {JS_CHART_Z}"


def require_chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: run `bash scripts/ensure-chromium.sh` (apt-get install chromium)")
    return CHROMIUM


def launch(playwright):
    return playwright.chromium.launch(executable_path=require_chromium(), headless=True, args=CHROMIUM_ARGS)


def isolated_env(tmp: Path) -> dict:
    """Jupyter and the workbook's progress store pointed into `tmp`, never the user's files."""
    env = server_env()
    # The servers' kernels import this checkout's helpers (the one the bench or the tests run from),
    # never another copy installed in the environment.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    dirs = {
        "JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTER_DATA_DIR": "data",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings", "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
    }
    for var, sub in dirs.items():
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / sub)
    env["DESHANEY_PROGRESS_DB"] = str(tmp / "progress.sqlite3")
    env["DESHANEY_STUDENT"] = "browser-test"
    _quiet_lab_settings(tmp / "lab-settings")
    return env


def _quiet_lab_settings(settings: Path) -> None:
    """No news toast, no autosave (a test run must never write a notebook), every cell drawn."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for rel, value in files.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


#: port -> the random token of the JupyterLab this process started on it
LAB_TOKENS: dict[int, str] = {}


def lab_url(port: int, path: str = "lab") -> str:
    """A URL of a JupyterLab started by `start_lab`, with its token."""
    return f"http://127.0.0.1:{port}/{path}?token={LAB_TOKENS.get(port, '')}"


def start_lab(env: dict, log) -> tuple[subprocess.Popen, int]:
    """JupyterLab at the repository root. Checkpoints go to the scratch folder, autosave is off
    (see isolated_env): opening and running a notebook writes nothing into the repository.
    It has a random token (and XSRF checks on): other users of the machine cannot drive it;
    `lab_url` gives a URL with the token."""
    port = free_port()
    token = secrets.token_urlsafe(32)
    checkpoints = Path(env["DESHANEY_PROGRESS_DB"]).parent / "checkpoints"
    argv = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--ServerApp.root_dir={ROOT}",
        "--LabApp.expose_app_in_browser=True", "--allow-root", "--LabApp.news_url=",
        f"--FileCheckpoints.root_dir={checkpoints}",
        "--ContentsManager.pre_save_hook=helpers.saving.clear_lesson_outputs",  # as `make lab` saves
    ]
    env = {**env, "JUPYTER_TOKEN": token}  # in the environment, not on a command line `ps` shows
    proc = subprocess.Popen(argv, cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_for_port(port, proc, timeout=90)
    LAB_TOKENS[port] = token
    return proc, port


def wait_table(page, timeout: float = 60_000):
    page.wait_for_function(f"({JS_TABLE})() !== null", timeout=timeout)
    return page.evaluate(JS_TABLE)


def table_text(page) -> str | None:
    return page.evaluate(JS_TABLE)


def cells(page, field: str) -> dict:
    return page.evaluate(JS_CELLS, field)


def chart_data(page) -> str | None:
    return page.evaluate(JS_CHART)


def fact_select(page, fact: str):
    return page.locator(f".deshaney-fact-{fact} select").first


def option_for(select, fact: str, value) -> str:
    """The <option> value for a fact value: ipywidgets uses the label; accept the raw id too."""
    from helpers.facts import vocabulary

    wanted = [vocabulary()[fact].label_of(value), str(value)]
    options = select.evaluate("s => [...s.options].map(o => o.value)")
    for w in wanted:
        if w in options:
            return w
    for o in options:  # labels may be decorated ("Prison (Estelle)"): match loosely
        if any(w.lower() in o.lower() for w in wanted):
            return o
    raise AssertionError(f"no option for {fact}={value!r} among {options}")


def choose(page, fact: str, value) -> None:
    """Change one fact the way a student does: pick it in the fact's dropdown."""
    sel = fact_select(page, fact)
    sel.select_option(value=option_for(sel, fact, value))


def change_and_wait(page, action, timeout: float = 30_000) -> tuple[str, str]:
    """Run `action`, then wait for the table's text to change; (before, after)."""
    before = table_text(page)
    action()
    page.wait_for_function(f"(b) => {{ const t = ({JS_TABLE})(); return t !== null && t !== b; }}", arg=before,
                           timeout=timeout)
    return before, table_text(page)


def wait_chart(page, timeout: float = 60_000) -> str:
    """Wait until the lab's chart is drawn (its cells coloured, not only its element attached)."""
    page.wait_for_function(f"({JS_CHART})() !== null", timeout=timeout)
    return chart_data(page)


def wait_chart_change(page, before: str | None, timeout: float = 30_000) -> str:
    page.wait_for_function(f"(b) => {{ const d = ({JS_CHART})(); return d !== null && d !== b; }}", arg=before,
                           timeout=timeout)
    return chart_data(page)


def open_lab_notebook(page, port: int, notebook: str, timeout: float = 120_000, reveal: bool = True) -> None:
    """Open a notebook in JupyterLab, run every cell, and wait until the kernel is idle; with `reveal`,
    open the labs held back for a prediction, as a student who skips predicting would."""
    # A workspace of its own: JupyterLab would otherwise reopen whatever an earlier page left open,
    # and the notebook asked for would not be the current widget.
    page.goto(lab_url(port, f"lab/workspaces/w{secrets.token_hex(4)}/tree/{notebook}"), wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                           timeout=timeout)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'idle'",
                           timeout=timeout)
    dismiss_toasts(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const cells = w.content.widgets.filter(c => c.model.type === 'code');
                   return w.sessionContext.kernelDisplayStatus === 'idle'
                          && cells.every(c => c.model.executionCount !== null); }""",
        timeout=timeout, polling=250)
    dismiss_toasts(page)
    if reveal:
        reveal_held_labs(page)


#: Every cell that holds a lab back for a prediction (`after_prediction(...)`) has drawn it: its
#: "show the lab" button, or the lab itself when it is already open. A cell's widgets are drawn a
#: moment after it has run, once their models have come from the kernel.
#: Every lab cell that ran shows its button, its lab or its error (a cell that failed, or was never run
#: because an earlier one failed, is not waited for: the test reports the error instead).
JS_HELD_LABS_DRAWN = """() => { const w = window.jupyterapp.shell.currentWidget;
  return w.content.widgets
    .filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().includes('after_prediction(')
                 && c.model.executionCount !== null)
    .every(c => c.node.querySelector('button.deshaney-reveal-lab, .deshaney-circuit-lab, .deshaney-qi-lab,'
                                     + ' [data-mime-type="application/vnd.jupyter.error"]')); }"""


def reveal_held_labs(page, timeout: float = 120_000) -> int:
    """Open every lab still held back for its prediction ("Show the lab without predicting"), as a
    student who chooses not to predict would; how many were held. Waits for each held lab's button
    to be drawn first (a button not drawn yet cannot be clicked: the lab would stay held, and the
    test waiting for it would time out), and then for every lab to be open."""
    page.wait_for_function(JS_HELD_LABS_DRAWN, timeout=timeout, polling=100)
    held = page.evaluate("() => { const b = [...document.querySelectorAll('button.deshaney-reveal-lab')];"
                         " b.forEach(x => x.click()); return b.length; }")
    if held:
        page.wait_for_function("() => document.querySelectorAll('.deshaney-held-lab').length === 0",
                               timeout=timeout, polling=100)
    return held


def lab_errors(page) -> list[str]:
    """Tracebacks shown in the notebook's outputs."""
    return page.evaluate("() => [...document.querySelectorAll('[data-mime-type=\"application/vnd.jupyter.error\"]')]"
                         ".map(e => e.innerText.slice(0, 2000))")


def dismiss_toasts(page) -> None:
    page.evaluate("() => document.querySelectorAll('.Toastify__toast').forEach(t => t.remove())")


JS_VERDICTS = """() => {
  const rows = [...document.querySelectorAll('.deshaney-projector tr[data-circuit]')];
  return rows.length === 12 && rows.every(r => r.querySelector('[data-field="qualified_immunity"]').innerText.trim());
}"""


def open_voila(page, url: str, timeout: float = 60_000) -> float:
    """Open a Voila page and wait for the twelve answers (the projector's verdicts) and the circuit
    table; seconds from navigation to the first answers on screen."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(JS_VERDICTS, timeout=timeout)
    ready = time.perf_counter() - t0
    wait_table(page, timeout)
    return ready


# --- the JupyterLite site ---------------------------------------------------------------------

#: Every URL that is not the site's: Playwright hands only these to the route handler to abort, so
#: the site's own requests go straight through (a Python round trip each would triple the load time).
NOT_THE_SITE = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
JUPYTER_LITE_JSON = re.compile(r"^http://127\.0\.0\.1:\d+/(lab/)?jupyter-lite\.json")


def is_outside(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "chrome-extension", ""):
        return False
    return parsed.hostname != "127.0.0.1"


def lite_context(browser, outside: list[str], timeout: float = 180_000, **options):
    """A fresh browser profile (its own IndexedDB: the student's drive) for a Lite site on 127.0.0.1:
    every other host blocked and counted in `outside`; the app exposed as window.jupyterapp (the
    site does not expose it; the bench and the tests drive JupyterLab through it)."""
    ctx = browser.new_context(viewport=VIEWPORT, **options)
    ctx.set_default_timeout(timeout)

    def block(r):
        if is_outside(r.request.url):
            outside.append(r.request.url)
            return r.abort()
        return r.continue_()

    def expose_app(r):
        response = r.fetch()
        config = response.json()
        config.setdefault("jupyter-config-data", {})["exposeAppInBrowser"] = "true"
        r.fulfill(response=response, json=config)

    ctx.route(NOT_THE_SITE, block)
    ctx.route(JUPYTER_LITE_JSON, expose_app)
    ctx.on("request", lambda req: outside.append(req.url) if is_outside(req.url) and req.url not in outside else None)
    ctx.on("websocket", lambda ws: outside.append(ws.url) if is_outside(ws.url) else None)
    return ctx


def serve_static(site: Path, log) -> tuple[subprocess.Popen, int]:
    """The site served as any static host serves it: Python's http.server on 127.0.0.1."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "-d", str(site), str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, proc, timeout=30)
    return proc, port


#: The notebook's kernel is started and idle, on the notebook asked for.
JS_LITE_KERNEL_IDLE = """(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
            && w.sessionContext.kernelDisplayStatus === 'idle' && w.context.path === path); }"""

# Run code in the notebook's kernel (not in a cell); resolve with its printed text, and any error.
JS_KERNEL_EXECUTE = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const out = [];
  const future = kernel.requestExecute({code, store_history: false});
  future.onIOPub = (msg) => {
    const c = msg.content;
    if (msg.header.msg_type === 'stream') out.push(c.text);
    if (msg.header.msg_type === 'error') out.push(`ERROR ${c.ename}: ${c.evalue}`);
  };
  await future.done;
  return out.join('');
}"""
