"""Timings in Chromium against Voila: time to first answer, bytes downloaded, update round trips."""
from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from bench import browser as drive
from bench.inprocess import percentile
from helpers.demo import ROOT, free_port, lab_urls, start_voila, stop

ECHO_NOTEBOOK = ROOT / "bench" / "echo.ipynb"

def _wait_for_pools(log: Path, names: tuple[str, ...], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if all(f"Kernel pool of {n} is filled" in text for n in names):
            return
        time.sleep(0.2)
    raise TimeoutError(f"Voila's kernel pools were not filled within {timeout:.0f} s (see {log})")


def _wait_until_settled(proc, timeout: float = 120, window: float = 0.5) -> float:
    """Wait until the server and its kernels stop using the CPU: the pre-heated kernels have run
    the labs (a class's server is started before the lecture). Seconds waited."""
    import psutil

    def cpu() -> float:
        total = 0.0
        for p in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    t0 = time.monotonic()
    quiet, last = 0, cpu()
    while time.monotonic() - t0 < timeout and quiet < 2:
        time.sleep(window)
        now = cpu()
        quiet = quiet + 1 if now - last < 0.05 * window else 0
        last = now
    return time.monotonic() - t0


def _open_counting_bytes(context, url: str) -> dict:
    """Open url in a fresh page; time to the first answer and the bytes received (HTTP and websocket)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    counts = {"http": 0, "ws": 0, "requests": 0, "ws_frames": 0}

    def finished(ev):
        counts["http"] += int(ev.get("encodedDataLength", 0))
        counts["requests"] += 1

    def frame(ev):
        counts["ws"] += len(ev.get("response", {}).get("payloadData", "").encode())
        counts["ws_frames"] += 1

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1",
                                                                                  "data:", "blob:")) else None)
    ready = drive.open_voila(page, url)
    page.wait_for_timeout(1500)  # let late widget messages land before counting
    page.close()
    return {"ready_s": ready, "outside_requests": len(outside), **counts}


def demo_ready(context, scratch: Path, env: dict, preheat: bool = True) -> dict:
    """`make demo`'s server: from opening the circuit lab to its first answer drawn."""
    port = free_port()
    log_path = scratch / f"voila-demo-{'preheat' if preheat else 'cold'}.log"
    with open(log_path, "wb") as log:
        proc = start_voila(port, env=env, log=log, preheat=preheat)
        try:
            if preheat:
                _wait_for_pools(log_path, ("circuit_lab.ipynb", "qi_lab.ipynb"))
            _wait_until_settled(proc)
            return _open_counting_bytes(context, lab_urls(port)["circuit_lab"])
        finally:
            stop(proc)


#: Between two changes: a student does not click twice in a quarter second; the random part
#: (up to one 60 Hz frame) keeps every change from landing at the same point of the frame.
PAUSE_MS, JITTER_MS = 250, 16.7

#: What each part of the lab shows, read from the page as a string the bench can predict from the
#: engine: the twelve answers in the projector's strip (violation, immunity granted), the element
#: table's answer cells (their data-value), and the z the chart shows (its cells' data-z).
JS_SIGNATURES = """() => {
  const strip = [...document.querySelectorAll('.deshaney-projector tr[data-circuit]')].map(r => {
    const v = r.querySelector('[data-field="violation"]'), q = r.querySelector('[data-field="qualified_immunity"]');
    return [r.dataset.circuit, !!v && v.innerText.includes('\\u2713'), !!q && q.innerText.includes('granted')]; });
  const table = [...document.querySelectorAll('.deshaney-circuit-table tr[data-circuit]')].map(r => {
    const v = r.querySelector('[data-field="violation"]'), q = r.querySelector('[data-field="qualified_immunity"]');
    return [r.dataset.circuit, !!v && v.dataset.value === 'true', !!q && q.dataset.value === 'true']; });
  const chart = %s;
  const echo = document.querySelector('.deshaney-bench-echo-out');
  return {answers: JSON.stringify(strip), table: JSON.stringify(table), chart: String(chart),
          echo: echo ? echo.innerText.trim() : null};
}""" % drive.JS_CHART_Z

# Change a <select>; resolve with, for each part, the ms from the change event until that part
# shows what `a.want[part]` says and the frame that lays it out and paints it has run (a task
# queued from requestAnimationFrame runs after that paint). A MutationObserver notices each
# part's change as it happens; nothing waits a fixed time, and no Playwright round trip is timed.
JS_TIME_PAINTS = """(a) => new Promise((resolve, reject) => {
  const signatures = (%s);
  const select = document.querySelector(a.select);
  if (!select) return reject(new Error('no ' + a.select));
  const painted = {}, seen = new Set();
  let t0 = 0, done = false;
  const check = () => {
    if (done) return;
    const now = signatures();
    for (const part of Object.keys(a.want)) {
      if (seen.has(part) || now[part] !== a.want[part]) continue;
      seen.add(part);
      requestAnimationFrame(() => setTimeout(() => {
        painted[part] = performance.now() - t0;
        if (Object.keys(painted).length === Object.keys(a.want).length) {
          done = true; obs.disconnect(); clearTimeout(timer); resolve(painted);
        }
      }, 0));
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  const timer = setTimeout(() => {
    obs.disconnect(); done = true;
    const now = signatures();
    const charts = document.querySelectorAll('.deshaney-chart .dsh-chart-grid').length;
    reject(new Error('not painted within 10 s (' + charts + ' chart(s) drawn): ' + Object.keys(a.want).filter(p => !(p in painted))
                     .map(p => p + ' shows ' + now[p].slice(0, 200) + ', wanted ' + a.want[p].slice(0, 200)).join('; ')));
  }, 10000);
  t0 = performance.now();
  select.value = a.option;
  select.dispatchEvent(new Event('change', {bubbles: true}));
})""" % JS_SIGNATURES

#: The bench lab's facts (bench/echo.ipynb): prison, deliberate indifference. Knowing of the risk
#: is what makes a violation, in every circuit: each change moves all twelve answers.
BENCH_FACTS = {"conduct_date": "1998-09-24", "decision_date": "2006-03-07", "custody": "prison",
               "culpability": "deliberate_indifference"}
AWARENESS = ("actual", "none")


def expected_signatures(facts: dict) -> dict[str, str]:
    """What JS_SIGNATURES reads once the page shows these facts, worked out by the engine."""
    import json

    from helpers import compare
    from helpers.rendering import heatmap_data

    comparison = compare(facts)
    rows = json.dumps([[a.circuit, a.violation, a.qualified_immunity] for a in comparison.results],
                      separators=(",", ":"))
    return {"answers": rows, "table": rows,
            "chart": json.dumps(heatmap_data(comparison)["z"], separators=(",", ":"))}


def _time_changes(page, select: str, options: list[str], wants: list[dict], n: int,
                  rng: random.Random) -> dict[str, list[float]]:
    """Time n changes of `select` (alternating `options`), each until every part of `wants` (one
    dict per option) is painted; the next change is made on a drawn page, as a student makes it."""
    times: dict[str, list[float]] = {}
    for i in range(n):
        painted = page.evaluate(JS_TIME_PAINTS, {"select": select, "option": options[i % len(options)],
                                                 "want": wants[i % len(wants)]})
        for part, ms in painted.items():
            times.setdefault(part, []).append(ms)
        page.wait_for_timeout(PAUSE_MS + rng.uniform(0, JITTER_MS))  # the student's pause, not a wait for a state
    return times


def _stats(prefix: str, times: dict[str, list[float]], echo: list[float]) -> dict:
    out = {}
    for part, key in (("answers", "update"), ("table", "table"), ("chart", "chart")):
        if part in times:
            out[f"{prefix}_{key}_ms_p50"] = statistics.median(times[part])
            out[f"{prefix}_{key}_ms_p95"] = percentile(times[part], 0.95)
    out[f"{prefix}_update_changes"] = len(times.get("answers", []))
    out[f"{prefix}_echo_ms_p50" if prefix != "browser" else "echo_roundtrip_ms_p50"] = statistics.median(echo)
    out[f"{prefix}_echo_ms_p95" if prefix != "browser" else "echo_roundtrip_ms_p95"] = percentile(echo, 0.95)
    return out


def measure_bench_page(page, changes: int, where: str, shot: Path) -> dict:
    """On the bench page (the lab and a bare echo, opened): the echo's round trips, then the lab's
    (answers, element table and chart, each painted) after a change of awareness; the page is
    photographed to `shot` and closed."""
    rng = random.Random(1989)
    try:
        drive.wait_table(page)
        drive.wait_chart(page)
        echo = _time_changes(page, ".deshaney-bench-echo-in select", ["1", "0"],
                             [{"echo": "1"}, {"echo": "0"}], changes, rng)
        sel = drive.fact_select(page, "awareness")
        options = [drive.option_for(sel, "awareness", v) for v in AWARENESS]
        wants = [expected_signatures({**BENCH_FACTS, "awareness": v}) for v in AWARENESS]
        lab = _time_changes(page, ".deshaney-fact-awareness select", options, wants, changes, rng)
        page.screenshot(path=str(shot))
    finally:
        page.close()
    return _stats(where, lab, echo["echo"])


def update_round_trips(context, scratch: Path, env: dict, changes: int = 40) -> dict:
    """On one Voila page (bench/echo.ipynb): the circuit lab's answers, element table and chart
    after a fact change, each painted, and the echo floor."""
    port = free_port()
    with open(scratch / "voila-bench.log", "wb") as log:
        proc = start_voila(port, target=ECHO_NOTEBOOK, env=env, log=log, preheat=False)
        try:
            page = context.new_page()
            drive.open_voila(page, f"http://127.0.0.1:{port}/")
            return measure_bench_page(page, changes, "browser", scratch / "bench-page.png")
        finally:
            stop(proc)


def jupyterlab_round_trips(context, scratch: Path, env: dict, changes: int = 40) -> dict:
    """The same page (bench/echo.ipynb) run in JupyterLab, as a student runs a lesson: its own echo
    floor, and the lab's answers, table and chart painted after a fact change."""
    with open(scratch / "jupyterlab-bench.log", "wb") as log:
        proc, port = drive.start_lab(env, log)
        try:
            page = context.new_page()
            drive.open_lab_notebook(page, port, "bench/echo.ipynb")
            return measure_bench_page(page, changes, "jupyterlab", scratch / "bench-jupyterlab-page.png")
        finally:
            stop(proc)


def _server_memory(proc) -> dict:
    """Resident memory of the server and each of its kernels (MB), and how many kernels run."""
    import psutil

    server = psutil.Process(proc.pid)
    kernels = []
    for child in server.children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append(child.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            pass
    return {"kernels": len(kernels), "kernel_mb": kernels,
            "total_mb": server.memory_info().rss / 2**20 + sum(kernels)}


def openings(context, scratch: Path, env: dict, n: int = 30, cull_after: int = 10, cull_interval: int = 2) -> dict:
    """Open the circuit lab n times in a row, each page closed once its answers show (closed the way
    a dropped connection closes it: no unload handler runs), as `make demo` serves it but with a
    short culling time. Kernels and memory after each opening, and once the culler has run."""
    port = free_port()
    with open(scratch / "voila-openings.log", "wb") as log:
        proc = start_voila(port, env=env, log=log, pool_size=1, cull_after=cull_after, cull_interval=cull_interval)
        try:
            _wait_for_pools(scratch / "voila-openings.log", ("circuit_lab.ipynb", "qi_lab.ipynb"))
            _wait_until_settled(proc)
            url = lab_urls(port)["circuit_lab"]
            ready, kernels, memory, failed = [], [], [], 0
            for _ in range(n):
                page = context.new_page()
                try:
                    ready.append(drive.open_voila(page, url))
                except Exception:  # noqa: BLE001 - counted: a class would see an error page
                    failed += 1
                page.close()
                m = _server_memory(proc)
                kernels.append(m["kernels"])
                memory.append(m["total_mb"])
            deadline = time.monotonic() + cull_after + 3 * cull_interval + 10
            while time.monotonic() < deadline and _server_memory(proc)["kernels"] > 2:
                time.sleep(1)
            after = _server_memory(proc)
        finally:
            stop(proc)
    return {
        "openings": n, "openings_failed": failed,
        "openings_ready_s_p50": statistics.median(ready) if ready else None,
        "openings_ready_s_max": max(ready) if ready else None,
        "openings_kernels_max": max(kernels), f"openings_memory_mb_max": max(memory),
        "memory_mb_after_openings": after["total_mb"], "kernels_after_openings": after["kernels"],
        "kernel_mb_each": statistics.median(after["kernel_mb"]) if after["kernel_mb"] else None,
        "openings_cull_after_s": cull_after,
    }


def measure_pages(changes: int = 40, cold_demo: bool = True, openings_n: int = 30, paint_only: bool = False) -> dict:
    """Everything measured in Chromium; `paint_only`: only the update round trips (Voila and JupyterLab)."""
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="deshaney-bench-") as tmp, sync_playwright() as p:
        scratch = Path(tmp)
        env = drive.isolated_env(scratch)
        browser = drive.launch(p)
        try:
            ctx = browser.new_context(viewport=drive.VIEWPORT)
            ctx.set_default_timeout(60_000)
            if not paint_only:
                hot = demo_ready(ctx, scratch, env, preheat=True)
                out.update(demo_ready_s=hot["ready_s"], page_bytes=hot["http"] + hot["ws"],
                           page_bytes_http=hot["http"], page_bytes_websocket=hot["ws"], page_requests=hot["requests"],
                           page_requests_outside=hot["outside_requests"])
                if cold_demo:
                    cold = demo_ready(ctx, scratch, env, preheat=False)
                    out.update(demo_ready_s_no_preheat=cold["ready_s"], page_bytes_no_preheat=cold["http"] + cold["ws"])
            out.update(update_round_trips(ctx, scratch, env, changes))
            ctx.set_default_timeout(180_000)
            out.update(jupyterlab_round_trips(ctx, scratch, env, changes))
            if openings_n and not paint_only:
                out.update(openings(ctx, scratch, env, openings_n))
            ctx.close()
        finally:
            browser.close()
    return out
