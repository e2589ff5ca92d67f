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

# Change a <select> and resolve with the ms from the change event until `target` shows (or stops
# showing) `text` on screen: the mutation, then the frame that lays it out and paints it (a task
# queued from requestAnimationFrame runs after that paint). Everything runs in the page: no
# Playwright round trip is timed.
JS_TIME_CHANGE = """(a) => new Promise((resolve, reject) => {
  const select = document.querySelector(a.select);
  const target = () => document.querySelector(a.target);
  const shown = () => { const el = target(); return !!el && el.innerText.includes(a.text) !== a.negate; };
  if (!select) return reject(new Error('no ' + a.select));
  let t0 = 0, done = false;
  const finish = () => {
    if (done || !shown()) return;
    done = true; obs.disconnect(); clearTimeout(timer);
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
  };
  const obs = new MutationObserver(finish);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  const timer = setTimeout(() => { obs.disconnect(); reject(new Error('timeout: ' + a.target)); }, 10000);
  t0 = performance.now();
  select.value = a.option;
  select.dispatchEvent(new Event('change', {bubbles: true}));
})"""


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


JS_SHOWS = """(a) => { const el = document.querySelector(a.target);
  return !!el && el.innerText.includes(a.text) !== a.negate; }"""


def _time_changes(page, select: str, options: list[str], target: str, texts: list[tuple[str, bool]],
                  n: int, rng: random.Random, settle: tuple[str, list[tuple[str, bool]]] | None = None) -> list[float]:
    """Time n changes. With `settle` (a selector and its texts, as `target` and `texts`), wait after
    each change until the rest of the page shows it too: the next change is made on a drawn page,
    as a student makes it, not while the last one is still being drawn."""
    times = []
    for i in range(n):
        text, negate = texts[i % len(texts)]
        ms = page.evaluate(JS_TIME_CHANGE, {"select": select, "option": options[i % len(options)],
                                            "target": target, "text": text, "negate": negate})
        times.append(ms)
        if settle:
            s_text, s_negate = settle[1][i % len(settle[1])]
            page.wait_for_function(JS_SHOWS, arg={"target": settle[0], "text": s_text, "negate": s_negate},
                                   timeout=30_000)
        page.wait_for_timeout(PAUSE_MS + rng.uniform(0, JITTER_MS))
    return times


def update_round_trips(context, scratch: Path, env: dict, changes: int = 40) -> dict:
    """On one page (bench/echo.ipynb): the circuit lab's answer after a fact change, and the echo floor."""
    port = free_port()
    with open(scratch / "voila-bench.log", "wb") as log:
        proc = start_voila(port, target=ECHO_NOTEBOOK, env=env, log=log, preheat=False)
        try:
            rng = random.Random(1989)
            page = context.new_page()
            drive.open_voila(page, f"http://127.0.0.1:{port}/")
            page.wait_for_selector(drive.CHART_PLOT, state="attached")
            echo = _time_changes(page, ".deshaney-bench-echo-in select", ["1", "0"], ".deshaney-bench-echo-out",
                                 [("1", False), ("0", False)], changes, rng)
            sel = drive.fact_select(page, "awareness")
            knew, did_not = drive.option_for(sel, "awareness", "actual"), drive.option_for(sel, "awareness", "none")
            # Prison, deliberate indifference: knowing of the risk is what makes a violation, in every circuit.
            # The answer a class watches: the projector's verdict strip at the top of the lab.
            verdict = f'{drive.PROJECTOR} tr[data-circuit="ca1"] [data-field="violation"]'
            # The element table below it, which follows once the answers are painted.
            cell = '.deshaney-circuit-table tr[data-circuit="ca1"] [data-field="violation"]'
            table_texts = [("no violation", True), ("no violation", False)]
            lab = _time_changes(page, ".deshaney-fact-awareness select", [knew, did_not], verdict,
                                [("yes", False), ("no", False)], changes, rng, settle=(cell, table_texts))
            table = _time_changes(page, ".deshaney-fact-awareness select", [knew, did_not], cell,
                                  table_texts, changes, rng)
            page.screenshot(path=str(scratch / "bench-page.png"))
            page.close()
        finally:
            stop(proc)
    return {
        "browser_update_ms_p50": statistics.median(lab), "browser_update_ms_p95": percentile(lab, 0.95),
        "browser_update_changes": len(lab),
        "browser_table_ms_p50": statistics.median(table), "browser_table_ms_p95": percentile(table, 0.95),
        "echo_roundtrip_ms_p50": statistics.median(echo), "echo_roundtrip_ms_p95": percentile(echo, 0.95),
    }


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


def measure_pages(changes: int = 40, cold_demo: bool = True, openings_n: int = 30) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="deshaney-bench-") as tmp, sync_playwright() as p:
        scratch = Path(tmp)
        env = drive.isolated_env(scratch)
        browser = drive.launch(p)
        try:
            ctx = browser.new_context(viewport=drive.VIEWPORT)
            ctx.set_default_timeout(60_000)
            hot = demo_ready(ctx, scratch, env, preheat=True)
            out.update(demo_ready_s=hot["ready_s"], page_bytes=hot["http"] + hot["ws"], page_bytes_http=hot["http"],
                       page_bytes_websocket=hot["ws"], page_requests=hot["requests"],
                       page_requests_outside=hot["outside_requests"])
            if cold_demo:
                cold = demo_ready(ctx, scratch, env, preheat=False)
                out.update(demo_ready_s_no_preheat=cold["ready_s"], page_bytes_no_preheat=cold["http"] + cold["ws"])
            out.update(update_round_trips(ctx, scratch, env, changes))
            if openings_n:
                out.update(openings(ctx, scratch, env, openings_n))
            ctx.close()
        finally:
            browser.close()
    return out
