"""The JupyterLite site from a fresh browser profile: how long until the first cell's result, and where
that time goes (the page, Pyodide's start, the wheels, the workbook's import, the cell's own work).

The site (lite/_output, built by `make lite`) is served on 127.0.0.1 with every other host blocked,
as the browser tests serve it. The first cell is lesson 00's, run as a student runs it, with clocks
around its imports and its work.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench import browser as drive
from helpers.demo import ROOT, stop

SITE = ROOT / "lite" / "_output"
LESSON = "notebooks/00_start_here.ipynb"

def first_cell() -> tuple[str, str]:
    """Lesson 00's first code cell, split into its import lines and the rest."""
    nb = json.loads((ROOT / LESSON).read_text(encoding="utf-8"))
    source = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    lines = source.splitlines()
    imports = [ln for ln in lines if ln.startswith(("import ", "from "))]
    rest = [ln for ln in lines if ln not in imports]
    return "\n".join(imports), "\n".join(rest)


def timed_first_cell() -> str:
    """The first cell with a clock around its imports and around its work; prints both (seconds)."""
    imports, rest = first_cell()
    return (f"import time as _bench_t\n_bench_0 = _bench_t.perf_counter()\n{imports}\n"
            f"_bench_1 = _bench_t.perf_counter()\n{rest}\n_bench_2 = _bench_t.perf_counter()\n"
            "print('BENCH', _bench_1 - _bench_0, _bench_2 - _bench_1)")


def measure_lite(site: Path | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    site = Path(site or SITE)
    if not (site / "index.html").exists():
        return {"lite_site": f"not built ({site}): run `make lite`"}
    with tempfile.TemporaryDirectory(prefix="deshaney-bench-") as tmp, sync_playwright() as p, \
            open(Path(tmp) / "lite-server.log", "wb") as log:
        proc, port = drive.serve_static(site, log)
        browser = drive.launch(p)
        try:
            outside: list[str] = []
            ctx = drive.lite_context(browser, outside)
            page = ctx.new_page()
            seen: dict[str, float] = {}
            t0 = time.perf_counter()

            def finished(request) -> None:
                name = request.url.rsplit("/", 1)[-1].split("?")[0]
                seen[name] = time.perf_counter() - t0
            ctx.on("requestfinished", finished)
            page.goto(f"http://127.0.0.1:{port}/lab/index.html?path={LESSON}", wait_until="domcontentloaded")
            page.wait_for_function("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                                   " return !!(w && w.sessionContext && w.sessionContext.session); }",
                                   timeout=180_000, polling=100)
            app = time.perf_counter() - t0
            page.wait_for_function(drive.JS_LITE_KERNEL_IDLE, arg=LESSON, timeout=180_000, polling=100)
            kernel = time.perf_counter() - t0
            said = page.evaluate(drive.JS_KERNEL_EXECUTE, timed_first_cell())
            first = time.perf_counter() - t0
            ctx.close()
        finally:
            browser.close()
            stop(proc)
    if "BENCH" not in said:
        return {"lite_site": str(site), "lite_failed": said[-300:]}
    imports_s, work_s = (float(x) for x in said.split("BENCH", 1)[1].split()[:2])
    wheels = [t for name, t in seen.items() if name.endswith(".whl")]
    downloads = [t for name, t in seen.items() if name.endswith((".whl", ".wasm", ".zip", ".mjs", ".json"))
                 and t < kernel]
    return {
        "lite_first_result_s": first,
        "lite_page_s": app,  # JupyterLab's page drawn and the notebook's session asked for
        "lite_kernel_ready_s": kernel,  # Pyodide started, the kernel's and the workbook's wheels installed
        "lite_pyodide_and_wheels_s": kernel - app,
        "lite_pyodide_wasm_loaded_s": seen.get("pyodide.asm.wasm"),
        "lite_last_download_s": max(downloads) if downloads else None,  # past it, the time is the CPU's
        "lite_wheels_n": len(wheels),
        "lite_first_cell_s": first - kernel,
        "lite_workbook_import_s": imports_s,  # the first cell's imports (helpers and what it imports)
        "lite_first_cell_work_s": work_s,  # the rest of the cell: the law read from data/, one answer drawn
        "lite_requests_outside": len(outside),
    }
