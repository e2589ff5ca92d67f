"""`python -m bench` (make bench): how fast the workbook is, against its targets.

Writes bench/results.json and bench/summary.txt (neither committed) and prints the summary.
    --quick     fewer runs, no cold (un-preheated) demo, 5 openings instead of 30, for a look while editing
    --only X    engine | widget | notebooks | pages | paint | lite
                (paint: only the update round trips, in Voila and JupyterLab; lite: the JupyterLite site's start)
    --lite-site DIR   the built JupyterLite site to time (default lite/_output)
    --profile   add a cProfile of the widget update to the summary
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SUMMARY = HERE / "summary.txt"

#: (key, test, target in words). A key that was not measured is reported as NOT RUN.
TARGETS = [
    ("engine_compare_ms", lambda r: r["engine_compare_ms"] < 1.0, "median < 1 ms"),
    ("engine_compare_precedents_ms", lambda r: r["engine_compare_precedents_ms"] <= 0.5, "median <= 0.5 ms"),
    ("engine_compare_precedents_ms_p95", lambda r: r["engine_compare_precedents_ms_p95"] <= 1.0, "p95 <= 1 ms"),
    ("widget_update_ms_p50", lambda r: r["widget_update_ms_p50"] <= 10, "median <= 10 ms"),
    *[(f"{where}_{part}_ms_p95", lambda r, k=f"{where}_{part}_ms_p95", e=echo: r[k] <= 50 and r[k] <= 2 * r[e],
       f"p95 <= 50 ms and within 2x the echo floor ({echo})")
      for where, echo in (("browser", "echo_roundtrip_ms_p50"), ("jupyterlab", "jupyterlab_echo_ms_p50"))
      for part in ("update", "table", "chart")],
    ("notebooks_total_s", lambda r: r["notebooks_total_s"] <= 35 and not r.get("notebooks_failed"),
     "<= 35 s, every notebook runs"),
    ("lite_first_result_s", lambda r: r["lite_first_result_s"] <= 10,
     "<= 10 s from a fresh profile to the first cell's result (else docs/lite-startup.md says why)"),
    ("demo_ready_s", lambda r: r["demo_ready_s"] < 5, "< 5 s"),
    ("page_requests_outside", lambda r: r["page_requests_outside"] == 0, "nothing fetched beyond 127.0.0.1"),
    ("kernels_after_openings", lambda r: r["kernels_after_openings"] <= 2 and not r["openings_failed"],
     "after 30 openings, closed pages' kernels culled (only the 2 pre-started remain), none refused"),
]

UNITS = {"_mb": "MB", "_ms": "ms", "_s": "s", "bytes": "bytes"}


def _fmt(key: str, value) -> str:
    if isinstance(value, float):
        value = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:,}"
    unit = next((u for suffix, u in UNITS.items() if key.endswith(suffix) or suffix in key), "")
    if (key.endswith("_p50") or key.endswith("_p95")) and "_s_" not in key and "_mb" not in key:
        unit = "ms"
    return f"{value} {unit}".strip()


def verdicts(results: dict) -> list[tuple[str, str, str]]:
    out = []
    for key, test, words in TARGETS:
        try:
            ok = test(results)
        except KeyError:
            out.append(("NOT RUN", key, words))
            continue
        out.append(("PASS" if ok else "MISS", key, words))
    return out


def summary(results: dict, profile: str | None = None) -> str:
    lines = [f"The DeShaney Workbook bench, {results['when']} ({results['machine']})", ""]
    for key, value in results.items():
        if key in {"when", "machine"} or isinstance(value, dict):
            continue
        lines.append(f"  {key:<32} {_fmt(key, value)}")
    for key in ("notebooks_s", "notebooks_slowest_cells_s"):
        for name, secs in results.get(key, {}).items():
            lines.append(f"    {name:<30} {secs:.2f} s")
    for name, err in results.get("notebooks_failed", {}).items():
        lines.append(f"    FAILED {name}: {err}")
    lines += ["", "Targets:"]
    for verdict, key, words in verdicts(results):
        value = _fmt(key, results[key]) if key in results else "-"
        lines.append(f"  {verdict:<8} {key:<24} {value:<14} target: {words}")
    if profile:
        lines += ["", "Profile of the in-kernel widget update (cumulative):", profile]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["engine", "widget", "notebooks", "pages", "paint", "lite"], action="append")
    parser.add_argument("--lite-site", type=Path, default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    only = set(args.only or ["engine", "widget", "notebooks", "pages", "lite"])
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    from bench import inprocess

    results: dict = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
    }
    profile = None
    started = time.perf_counter()
    if "engine" in only:
        print("engine: compare over twelve circuits...", flush=True)
        results.update(inprocess.engine_compare_ms(100 if args.quick else 500))
    if "widget" in only:
        print("widget: the circuit lab driven in-process...", flush=True)
        results.update(inprocess.widget_update_ms(30 if args.quick else 100))
        if args.profile:
            profile = inprocess.widget_update_profile()
    if "notebooks" in only:
        print("notebooks: every notebook in a fresh kernel...", flush=True)
        from bench.notebooks import run_notebooks

        results.update(run_notebooks())
    if "pages" in only or "paint" in only:
        print("pages: Voila and JupyterLab in Chromium (demo ready, page bytes, answers, table and chart painted, "
              "echo round trips)...", flush=True)
        from bench import browser
        from bench.pages import measure_pages

        browser.require_chromium()
        results.update(measure_pages(changes=30 if args.quick else 60, cold_demo=not args.quick,
                                     openings_n=5 if args.quick else 30, paint_only="pages" not in only))
    if "lite" in only:
        print("lite: the JupyterLite site from a fresh profile to the first cell's result...", flush=True)
        from bench.lite import measure_lite

        results.update(measure_lite(args.lite_site))
    results["bench_s"] = time.perf_counter() - started

    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    text = summary(results, profile)
    SUMMARY.write_text(text)
    print()
    print(text, end="")
    print(f"(written: {RESULTS.relative_to(HERE.parent)}, {SUMMARY.relative_to(HERE.parent)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
