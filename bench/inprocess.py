"""Timings inside one Python process: the engine, and the circuit lab driven without a browser."""
from __future__ import annotations

import random
import statistics
import time

from helpers import compare, flips
from helpers.facts import vocabulary
from helpers.memos import forget

#: Facts a student moves in the circuit lab's dropdowns and checkboxes.
MOVABLE = ("custody", "act_kind", "promise_to_victim", "victim_relied", "assurance_to_assailant", "danger_effect",
           "victim_scope", "awareness", "culpability", "deliberation", "harm_foreseeable", "but_for_cause",
           "harm_source", "victim_public_employee")
START = {"conduct_date": "1998-09-24", "decision_date": "2006-03-07"}


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def random_walk(n: int, seed: int = 1989) -> list[dict]:
    """n fact patterns, each one fact away from the one before (as a student moves them)."""
    rng = random.Random(seed)
    vocab = vocabulary()
    facts, walk = dict(START), []
    while len(walk) < n:
        fid = rng.choice(MOVABLE)
        spec = vocab[fid]
        values = [True, False] if spec.kind == "flag" else list(spec.values)
        new = rng.choice([v for v in values if v != facts.get(fid, spec.default)])
        if fid == "act_kind" and new == "signalled_impunity" and facts.get("assurance_to_assailant", "none") == "none":
            continue  # the contract rejects this pair
        if fid == "assurance_to_assailant" and new == "none" and facts.get("act_kind") == "signalled_impunity":
            continue
        facts = {**facts, fid: new}
        walk.append({"fact": fid, "value": new, "facts": dict(facts)})
    return walk


def engine_compare_ms(runs: int = 300) -> dict:
    """compare over the twelve circuits: median and p95 over a walk of fact patterns (the engine's
    memos as a session leaves them), and over every precedent's own facts at its own dates with every
    memo emptied before each call (the analogy search at full depth, as on first sight of the facts);
    flips over the precedents too, memos emptied."""
    patterns = [step["facts"] for step in random_walk(60)]
    compare(patterns[0])  # loads the law once
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        compare(patterns[i % len(patterns)])
        times.append((time.perf_counter() - t0) * 1000)
    out = {"engine_compare_ms": statistics.median(times), "engine_compare_ms_p95": percentile(times, 0.95),
           "engine_compare_runs": runs}
    cases = precedent_patterns()
    cold, cold_cpu = [], []
    for i in range(max(runs, len(cases))):
        facts = cases[i % len(cases)]
        forget()
        c0, t0 = time.thread_time(), time.perf_counter()
        compare(facts)
        cold.append((time.perf_counter() - t0) * 1000)
        cold_cpu.append((time.thread_time() - c0) * 1000)
    out.update({"engine_compare_precedents_ms": statistics.median(cold),
                "engine_compare_precedents_ms_p95": percentile(cold, 0.95),
                "engine_compare_precedents_cpu_ms": statistics.median(cold_cpu),
                "engine_compare_precedents_cpu_ms_p95": percentile(cold_cpu, 0.95),
                "engine_compare_precedents_runs": len(cold), "engine_compare_precedents_patterns": len(cases)})
    flipped = []
    for facts in cases[::max(1, len(cases) // (60 if runs >= 300 else 20))]:
        forget()
        t0 = time.perf_counter()
        flips(facts)
        flipped.append((time.perf_counter() - t0) * 1000)
    out.update({"engine_flips_precedents_ms": statistics.median(flipped),
                "engine_flips_precedents_ms_p95": percentile(flipped, 0.95), "engine_flips_precedents_runs": len(flipped),
                "engine_memos": "emptied before each precedent call",
                "engine_cpu_note": "cpu_ms: this thread's CPU time (wall time less waiting for a core on a busy machine)"})
    return out


def precedent_patterns() -> list:
    """Every precedent's own facts in data/precedents/, at its own dates and in its own forum."""
    from helpers.law import law

    out = []
    for p in sorted(law().precedents.values(), key=lambda p: (p.decided, p.id)):
        facts = p.fact_pattern() if p.facts_raw is not None else None
        if facts is not None:
            out.append(facts)
    return out


def _clear_lab_caches() -> bool:
    """Empty the lab's memo caches and the engine's, so every state is new to both (the worst case)."""
    import helpers.widgets as lab_module

    forget()  # and the engine's own memos of fact patterns
    cleared = False
    for name in ("cached_compare", "cached_flips"):
        fn = getattr(lab_module, name, None)
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()
            cleared = True
    return cleared


def widget_update_ms(changes: int = 80) -> dict:
    """From a control's value change to every output of the circuit lab redrawn, in-process.

    The lab's observers run synchronously when a control's value is set, so the time of the
    assignment is the time to update the table, the chart, the flips panel and the forum card.
    Each change is checked: the table must show the engine's answer for the new facts."""
    from helpers.widgets import circuit_lab

    lab = circuit_lab()
    walk = random_walk(changes, seed=2006)
    times, cpu, cold = [], [], True
    for step in walk:
        cold = _clear_lab_caches()
        control = lab.controls[step["fact"]]
        c0, t0 = time.thread_time(), time.perf_counter()
        control.value = step["value"]
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        want = compare(step["facts"])
        got = lab.facts
        assert all(getattr(got, k) == v for k, v in step["facts"].items() if k in vocabulary() and k not in START), \
            f"the lab's facts did not follow {step['fact']}={step['value']!r}"
        for a in want.results:
            row = lab.table.value.split(f'data-circuit="{a.circuit}"', 1)[1].split("</tr>", 1)[0]
            assert ("no violation" not in row) == a.violation, f"{a.circuit}: table disagrees with the engine"
    return {"widget_update_ms_p50": statistics.median(times), "widget_update_ms_p95": percentile(times, 0.95),
            "widget_update_cpu_ms_p50": statistics.median(cpu), "widget_update_cpu_ms_p95": percentile(cpu, 0.95),
            "widget_update_changes": changes, "widget_update_caches": "cleared before each change" if cold
            else "the lab's own caching"}


def widget_update_profile(changes: int = 30, top: int = 15) -> str:
    """cProfile of the same walk, for the summary when the target is missed."""
    import cProfile
    import io
    import pstats

    from helpers.widgets import circuit_lab

    lab = circuit_lab()
    walk = random_walk(changes, seed=2006)
    prof = cProfile.Profile()
    for step in walk:
        _clear_lab_caches()
        prof.enable()
        lab.controls[step["fact"]].value = step["value"]
        prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()
