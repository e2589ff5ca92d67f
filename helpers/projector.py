"""The projector view: all twelve circuits' answers on one screen, a map beside a verdict strip.

    >>> from helpers.projector import Projector
    >>> p = Projector()
    >>> p.show(compare(facts))          # sends twelve small integers, nothing else

An anywidget (helpers/static/projector.js and .css, no CDN, no plotly): the browser builds the
strip and the map once and, on each change, patches only the cells whose answer changed. A
click, a tap, or Enter on a circuit asks the kernel for that circuit's elements and the reasons
for both prongs (`detail`), sent only for the circuit opened. After painting an answer the
browser says so (a `painted` message): the lab sends its heavier outputs then, so they never
hold back the answer's frame.
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from . import rendering
from .engine import Answer, Comparison
from .facts import CIRCUIT_ABBREVIATIONS, CIRCUIT_NAMES, CIRCUITS

STATIC = Path(__file__).resolve().parent / "static"

#: The states and territories of each circuit (28 U.S.C. § 41).
CIRCUIT_STATES = {
    "ca1": ("ME", "MA", "NH", "RI", "PR"),
    "ca2": ("CT", "NY", "VT"),
    "ca3": ("DE", "NJ", "PA", "VI"),
    "ca4": ("MD", "NC", "SC", "VA", "WV"),
    "ca5": ("LA", "MS", "TX"),
    "ca6": ("KY", "MI", "OH", "TN"),
    "ca7": ("IL", "IN", "WI"),
    "ca8": ("AR", "IA", "MN", "MO", "NE", "ND", "SD"),
    "ca9": ("AK", "AZ", "CA", "HI", "ID", "MT", "NV", "OR", "WA", "GU", "MP"),
    "ca10": ("CO", "KS", "NM", "OK", "UT", "WY"),
    "ca11": ("AL", "FL", "GA"),
    "cadc": ("DC",),
}

#: A tile map: each state a square at (row, column), roughly where it lies (the usual
#: newsroom layout); the territories on the last row.
TILES = {
    "AK": (0, 0), "ME": (0, 11),
    "WI": (1, 6), "VT": (1, 10), "NH": (1, 11),
    "WA": (2, 1), "ID": (2, 2), "MT": (2, 3), "ND": (2, 4), "MN": (2, 5), "IL": (2, 6), "MI": (2, 7),
    "NY": (2, 9), "MA": (2, 10),
    "OR": (3, 1), "NV": (3, 2), "WY": (3, 3), "SD": (3, 4), "IA": (3, 5), "IN": (3, 6), "OH": (3, 7),
    "PA": (3, 8), "NJ": (3, 9), "CT": (3, 10), "RI": (3, 11),
    "CA": (4, 1), "UT": (4, 2), "CO": (4, 3), "NE": (4, 4), "MO": (4, 5), "KY": (4, 6), "WV": (4, 7),
    "VA": (4, 8), "MD": (4, 9), "DE": (4, 10),
    "AZ": (5, 2), "NM": (5, 3), "KS": (5, 4), "AR": (5, 5), "TN": (5, 6), "NC": (5, 7), "SC": (5, 8),
    "DC": (5, 9),
    "OK": (6, 4), "LA": (6, 5), "MS": (6, 6), "AL": (6, 7), "GA": (6, 8),
    "HI": (7, 0), "TX": (7, 4), "FL": (7, 9),
    "GU": (7, 1), "MP": (7, 2), "PR": (7, 10), "VI": (7, 11),
}

#: Project mode: "auto" (on while the lab is narrow), "on", "off" (the `project` trait below).
PROJECT_MODES = ("auto", "on", "off")

# One small integer per circuit: the answer, bit by bit.
VIOLATION, CLEARLY_ESTABLISHED, IMMUNITY = 1, 2, 4
CUSTODY_MET, DANGER_MET, DANGER_RECOGNISED, DIRECT_MET = 8, 16, 32, 64


def answer_code(a: Answer) -> int:
    """One circuit's answer as an integer (bits above): what the browser patches from."""
    sr, scd, direct = a.special_relationship, a.state_created_danger, a.direct_harm
    return ((VIOLATION if a.violation else 0) | (CLEARLY_ESTABLISHED if a.clearly_established else 0)
            | (IMMUNITY if a.qualified_immunity else 0) | (CUSTODY_MET if sr.met else 0)
            | (DANGER_MET if scd.met else 0) | (DANGER_RECOGNISED if scd.recognized is not False else 0)
            | (DIRECT_MET if direct.met else 0))


def answer_vector(comparison: Comparison) -> list[int]:
    """The twelve answers, ca1 to cadc, as integers."""
    by_id = {a.circuit: a for a in comparison.results}
    return [answer_code(by_id[c]) for c in CIRCUITS]


def outcome(code: int) -> str:
    """'denied' (violation, clearly established) / 'granted' (violation, immunity) / 'none' (no violation)."""
    if not code & VIOLATION:
        return "none"
    return "granted" if code & IMMUNITY else "denied"


def detail_html(a: Answer, law, conduct_known: bool = True) -> str:
    """What a click on a circuit opens: both prongs with their reasons, every element with its
    reason and authority, and what prong two rests on (`rendering.basis_html`)."""
    return rendering.answer_card_html(a, style=False, law=law, conduct_known=conduct_known, open_elements=True)


class Projector(anywidget.AnyWidget):
    """Twelve verdict rows beside a tile map of the states, each coloured by its circuit's answer."""

    _esm = STATIC / "projector.js"
    _css = STATIC / "projector.css"

    circuits = traitlets.List().tag(sync=True)     # static: id, abbreviation, name, states
    tiles = traitlets.List().tag(sync=True)        # static: [state, row, column, circuit]
    answers = traitlets.List(traitlets.Int()).tag(sync=True)
    forum = traitlets.Unicode("").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)  # the circuit opened (set by the browser)
    detail = traitlets.Unicode("").tag(sync=True)    # its answer in full, for the circuit opened
    seq = traitlets.Int(0).tag(sync=True)            # bumped with each answer; echoed back once painted
    #: Project mode (the answers as chips above a few facts): "auto" turns it on while the lab it sits in
    #: is narrower than `compact_below` CSS pixels (measured in the browser, so zoom counts), "on", "off".
    project = traitlets.Enum(PROJECT_MODES, "auto").tag(sync=True)
    compact_below = traitlets.Int(520).tag(sync=True)

    def __init__(self, **kwargs):
        circuits = [{"id": c, "abbr": CIRCUIT_ABBREVIATIONS[c].replace(" Cir.", ""), "name": CIRCUIT_NAMES[c],
                     "states": list(CIRCUIT_STATES[c])} for c in CIRCUITS]
        of = {s: c for c, states in CIRCUIT_STATES.items() for s in states}
        tiles = [[s, r, col, of[s]] for s, (r, col) in TILES.items()]
        super().__init__(circuits=circuits, tiles=tiles, **kwargs)
        self._painted_callbacks: list = []
        self.on_msg(self._on_msg)
        self.add_class("deshaney-projector")

    def show(self, comparison: Comparison, forum: str | None = None) -> None:
        """Send the twelve answers (and the forum) in one small message."""
        with self.hold_sync():
            self.answers = answer_vector(comparison)
            self.forum = forum or ""
            self.seq += 1

    def on_painted(self, callback) -> None:
        """`callback(seq)` when the browser has painted the answers numbered `seq`."""
        self._painted_callbacks.append(callback)

    def _on_msg(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and "painted" in content:
            for cb in self._painted_callbacks:
                cb(int(content["painted"]))
