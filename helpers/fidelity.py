"""How often the engine agrees with the courts, measured the way a student meets it.

Every precedent that decided prong one (a violation or not) or prong two (clearly
established or not) is re-run from its encoded facts, as its majority characterised
them, with the analysis options at their defaults: `generality` is never set, and
`assume_recognized` only where the court itself assumed the theory (the loader
refuses a majority `generality`). Dissents and concurrences are measured apart,
with their own options: they are where the options teach something.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .engine import evaluate
from .facts import CIRCUITS
from .law import Precedent, law

#: The targets the fidelity check holds the engine to (issue 7; clearly established raised to 95% by issue 19).
TARGETS = {"violation": 0.95, "clearly_established": 0.95}


@dataclass(frozen=True)
class Outcome:
    precedent: str
    opinion: str | None  # None for the majority
    court: str
    decided: str
    prong: str  # violation | clearly_established
    theory: str  # state_created_danger | special_relationship | ...
    held: bool
    engine: bool
    why: str

    excluded: str = ""  # why this holding is measured apart, if it is

    @property
    def agrees(self) -> bool:
        return self.held is self.engine

    @property
    def decade(self) -> str:
        return self.decided[:3] + "0s"


def _measured(p: Precedent):
    """(opinion id or None, holdings) for each opinion of a precedent with facts."""
    if p.court == "scotus" or p.facts_raw is None:
        return
    yield None, {"violation": p.violation, "clearly_established": p.clearly_established}
    for op in p.opinions:
        yield op.id, {k: op.concludes.get(k) for k in ("violation", "clearly_established")}


def _excluded(p: Precedent, prong: str) -> str:
    """Holdings measured apart, each for a reason a court would accept."""
    # Replaced in the same case (vacated, withdrawn, superseded, reversed) is no longer a holding;
    # overruled or abrogated later by another case still was the court's holding on its day.
    dead = [h for h in p.dead_events() if h.event in ("vacated", "withdrawn", "superseded", "reversed")]
    if dead:
        h = dead[0]
        return f"{h.event} {h.day.isoformat()}" + (f" by {h.by}" if h.by else "") + ": no longer the court's holding"
    if p.verification == "memory":
        return "known only from memory, not verified against the opinion: not a measure of anything"
    if prong == "clearly_established" and p.conduct is None:
        return "conduct date unknown: prong two cannot be measured"
    return ""


def outcomes(include_opinions: bool = False) -> list[Outcome]:
    out = []
    for p in sorted(law().precedents.values(), key=lambda p: (p.court, p.decided, p.id)):
        for opinion, held in _measured(p):
            if opinion is not None and not include_opinions:
                continue
            if all(v is None for v in held.values()):
                continue
            facts = p.fact_pattern(opinion)
            if opinion is None:  # a student gets the default method, whatever the majority's encoding says
                facts = facts.with_(generality="default")
            answer = evaluate(facts)
            for prong, value in held.items():
                if value is None:
                    continue
                got = getattr(answer, prong)
                why = (answer.clearly_established_basis.why if prong == "clearly_established"
                       else answer.baseline)
                out.append(Outcome(p.id, opinion, p.court, p.decided.isoformat(), prong, p.theory, value, got,
                                   why, _excluded(p, prong)))
    return out


@dataclass(frozen=True)
class Report:
    majority: tuple[Outcome, ...]
    opinions: tuple[Outcome, ...]
    apart: tuple[Outcome, ...] = ()

    def rate(self, prong: str, theory: str | None = None) -> tuple[int, int]:
        rows = [o for o in self.majority if o.prong == prong and theory in (None, o.theory)]
        return sum(o.agrees for o in rows), len(rows)

    def meets_targets(self) -> bool:
        return all(n and agree / n >= TARGETS[prong] for prong in TARGETS
                   for agree, n in [self.rate(prong)])

    def _prong_two_holdings(self) -> list[Precedent]:
        """The precedents whose measured majority holdings include prong two."""
        precedents = law().precedents
        return [precedents[o.precedent] for o in self.majority if o.prong == "clearly_established"]

    def conduct_date_sources(self) -> dict:
        """How the conduct dates of the measured prong-two holdings were known (opinion, summary, estimate)."""
        out: dict = defaultdict(int)
        for p in self._prong_two_holdings():
            out[p.conduct_date_source] += 1
        return dict(out)

    def prong_two_read(self) -> dict:
        """How the measured prong-two holdings' reasoning was seen (prong_two.read), and how many have a pin."""
        out: dict = defaultdict(int)
        for p in self._prong_two_holdings():
            p2 = p.prong_two or {}
            out[p2.get("read") or "not recorded"] += 1
            out["pin"] += bool(p2.get("pin"))
        return dict(out)

    def misses(self) -> list[Outcome]:
        return [o for o in self.majority if not o.agrees]

    def table(self, key) -> dict:
        grid: dict = defaultdict(lambda: {p: [0, 0] for p in TARGETS})
        for o in self.majority:
            cell = grid[key(o)][o.prong]
            cell[0] += o.agrees
            cell[1] += 1
        return dict(grid)

    def text(self) -> str:
        lines = ["Fidelity: the engine against the courts, majority holdings, options at their defaults", ""]
        for prong in TARGETS:
            agree, n = self.rate(prong)
            pct = 100 * agree / n if n else 0.0
            ok = "meets" if n and agree / n >= TARGETS[prong] else "MISSES"
            held_true = sum(1 for o in self.majority if o.prong == prong and o.held)
            lines.append(f"  {prong:<20} {agree:>3} of {n:<3} {pct:5.1f}%  target {TARGETS[prong]:.0%}: {ok}"
                         f"  (held true {held_true}, false {n - held_true})")
            for theory, label in (("special_relationship", "custody"), ("state_created_danger", "danger")):
                a, m = self.rate(prong, theory)
                if m:
                    lines.append(f"    {label:<18} {a:>3} of {m:<3} {100 * a / m:5.1f}%")
        for title, key, order in (("By circuit", lambda o: o.court, list(CIRCUITS)),
                                  ("By decade decided", lambda o: o.decade, None),
                                  ("By theory", lambda o: o.theory, None)):
            grid = self.table(key)
            lines += ["", f"{title}:", f"  {'':<22} {'violation':>12} {'clearly est.':>14}"]
            for k in (order or sorted(grid)):
                if k not in grid:
                    continue
                v, c = grid[k]["violation"], grid[k]["clearly_established"]
                lines.append(f"  {k.replace('_', ' '):<22} {v[0]:>5} of {v[1]:<4} {c[0]:>6} of {c[1]:<4}")
        sources = self.conduct_date_sources()
        lines += ["", "Conduct dates of the measured prong-two holdings: "
                  + ", ".join(f"{k} {sources.get(k, 0)}" for k in ("opinion", "summary", "estimate"))
                  + " (how each date was known: data/precedents, conduct_date_source)"]
        read = self.prong_two_read()
        lines += ["Their reasoning on prong two was read: "
                  + ", ".join(f"{k} {read.get(k, 0)}" for k in ("passage", "opening", "summary", "not recorded"))
                  + f"; pins {read.get('pin', 0)} (prong_two.read and .pin)"]
        misses = self.misses()
        lines += ["", f"Misses ({len(misses)}):"]
        for o in misses:
            lines.append(f"  {o.precedent} [{o.prong}] held {o.held}, engine {o.engine}: {o.why}")
        lines += ["", f"Measured apart ({len(self.apart)}): not counted in the figures above"]
        for o in self.apart:
            mark = "agrees" if o.agrees else f"held {o.held}, engine {o.engine}"
            lines.append(f"  {o.precedent}" + (f" / {o.opinion}" if o.opinion else "") + f" [{o.prong}] {mark}: {o.excluded}")
        op_agree = sum(o.agrees for o in self.opinions)
        lines += ["", f"Dissents and concurrences, with their own options: {op_agree} of {len(self.opinions)} agree"]
        for o in self.opinions:
            if not o.agrees:
                lines.append(f"  {o.precedent} / {o.opinion} [{o.prong}] concluded {o.held}, engine {o.engine}")
        return "\n".join(lines)


def report() -> Report:
    everything = outcomes(include_opinions=True)
    return Report(tuple(o for o in everything if o.opinion is None and not o.excluded),
                  tuple(o for o in everything if o.opinion is not None and not o.excluded),
                  tuple(o for o in everything if o.excluded))


def _command(args) -> int:
    r = report()
    print(r.text())
    return 0 if r.meets_targets() or not args.strict else 1


def _arguments(parser) -> None:
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")


#: (name, help, run, add_arguments), registered by `helpers.cli` (the command line imports downward).
CLI_COMMANDS = (("fidelity", "how often the engine agrees with the courts' holdings (defaults a student gets)",
                 _command, _arguments),)
