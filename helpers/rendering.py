"""Answers drawn for people: HTML tables and cards, pandas frames, plotly figures.

No ipywidgets here (widgets.py and qilab.py wrap these), so a static page, a test or
the exercise bank can render an answer without a kernel's widget machinery. Every
yes/no is readable by colour and by text: a check or a cross, and the words.
"""
from __future__ import annotations


import re
import sys
from datetime import date
from functools import lru_cache
from html import escape
from typing import Iterable

# plotly's figures and widgets import nbformat, which imports jsonschema, which imports the optional
# rfc3987_syntax when it is installed (jupyter-events pulls it in): that module compiles a grammar on
# import, about 2 s, in every kernel that draws a chart. Nothing here validates IRIs (jsonschema
# checks formats only when asked): leave that optional module out of the kernel, unless something
# imported it already.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import plotly.graph_objects as go  # noqa: E402

from .engine import Answer, Comparison, Flip
from .facts import CIRCUIT_ABBREVIATIONS, CIRCUIT_NAMES, CIRCUITS, Facts, vocabulary
from .immunity import OnPoint
from .law import DEAD_EVENTS, Law, in_force

YES, NO = "\u2713", "\u2717"  # check mark, ballot x
THEORIES = (
    ("special_relationship", "Special relationship (custody)", "Custody"),
    ("state_created_danger", "State-created danger", "Danger"),
    ("direct_harm", "Harm by a state actor", "Direct"),
)
#: Plaintiff-favouring answers in green, the others in magenta (PiYG: safe for red-green colour blindness).
GOOD, BAD, NONE = "#1b7837", "#c51b7d", "#bbbbbb"

CSS = """
<style>
.dsh-table {border-collapse: collapse; font-size: 13px; line-height: 1.35; width: 100%;}
.dsh-table th, .dsh-table td {border: 1px solid #ddd; padding: 4px 6px; vertical-align: top; text-align: left;}
.dsh-table th {background: #f4f4f4;}
.dsh-scroll {max-height: 85vh; overflow: auto; max-width: 100%;}
.dsh-scroll .dsh-table thead th {position: sticky; top: 0; z-index: 2;}
.dsh-scroll .dsh-table tbody th {position: sticky; left: 0; z-index: 1; font-weight: 600;}
.dsh-scroll .dsh-table thead th:first-child {left: 0; z-index: 3;}
.dsh-table tr.dsh-forum td, .dsh-table tr.dsh-forum th {background: #fffbe6; font-weight: 600;}
.dsh-yes {color: #1b7837;} .dsh-no {color: #c51b7d;}
td.dsh-yes {background: #e6f4ea;} td.dsh-no {background: #fbe9f2;}
details.dsh-el > summary {cursor: pointer; list-style: none;} details.dsh-el > summary::-webkit-details-marker {display: none;}
details.dsh-el[open] {display: block;} .dsh-why {display: block; color: #222; font-size: 0.95em; max-width: 30em; white-space: normal;}
.dsh-el {display: inline-block; margin: 1px 3px 1px 0; padding: 0 4px; border-radius: 3px;
         font-size: 0.85em; cursor: help; border: 1px solid currentColor;}
.dsh-theory {font-weight: 600;}
.dsh-muted {color: #666; font-size: 0.9em;}
.dsh-card {border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; margin: 4px 0;}
.dsh-card h4 {margin: 4px 0;}
.dsh-card li {margin: 2px 0;}
.dsh-flips details {margin: 2px 0;} .dsh-flips summary {cursor: pointer;}
.dsh-flips details.dsh-forum summary {font-weight: 700;}
.dsh-error {color: #b00020; font-weight: 600;}
.deshaney-stale, .deshaney-stale-shown ~ .deshaney-stage .deshaney-projector {opacity: 0.4; filter: grayscale(1);}
.dsh-stale-banner {background: #fff3cd; border: 2px solid #b00020; color: #5c0011; padding: 6px 10px;
                   border-radius: 4px; margin: 4px 0;}
.deshaney-fact-grid {display: block !important; column-width: 330px; column-gap: 18px;}
.deshaney-fact-group {break-inside: avoid; display: inline-flex !important; width: 100%;}
.dsh-help {color: #666; font-size: 0.85em;}
.deshaney-chart, .deshaney-timeline {display: block !important; width: 100%;}
.deshaney-chart > *, .deshaney-timeline > * {width: 100%;}
/* The chart redraws inside its own box: plotly's measuring never lays out the rest of the page again. */
.deshaney-chart .svg-container {contain: strict;}
.dsh-prongs {display: flex; gap: 12px; flex-wrap: wrap;} .dsh-prongs > div {flex: 1 1 260px;}
.deshaney-presentation, .deshaney-presentation .widget-label, .deshaney-presentation select,
.deshaney-presentation input, .deshaney-presentation .widget-html-content {font-size: 20px !important;}
.deshaney-presentation .dsh-table {font-size: 20px;}
.deshaney-presentation .dsh-el {font-size: 17px;}
.deshaney-presentation .deshaney-fact-grid {column-width: 420px;}
.deshaney-presentation .dsh-help {font-size: 16px;}
</style>
"""


def yes_no(flag: bool, yes: str, no: str) -> tuple[str, str]:
    """(css class, text with its mark) for a yes/no answer that favours the plaintiff when true."""
    return ("dsh-yes", f"{YES} {yes}") if flag else ("dsh-no", f"{NO} {no}")


def short_label(element_id: str) -> str:
    """An element id as words: 'danger_created_or_increased' -> 'danger created or increased'."""
    return element_id.replace("_", " ")


def attr(text: str) -> str:
    """Text made safe inside an HTML attribute's quotes (a title, a data- field)."""
    return escape(text, quote=True)


def outcome_cells(a: Answer) -> tuple[tuple[str, str, str, str], ...]:
    """(field, css class, text, title) for prong one, prong two and the immunity answer."""
    basis = a.clearly_established_basis
    v_cls, v_text = yes_no(a.violation, "violation", "no violation")
    c_cls, c_text = yes_no(a.clearly_established, "clearly established" if a.violation else
                           "clearly established, if there were a violation", "not clearly established")
    # Words only: a cross before "immunity granted" reads as "not granted". The colour says whom it favours.
    q_cls, q_text = ("dsh-no", "immunity granted") if a.qualified_immunity else ("dsh-yes", "immunity denied")
    return (
        ("violation", v_cls, v_text, a.baseline),
        ("clearly_established", c_cls, c_text, basis.why),
        ("qualified_immunity", q_cls, q_text,
         "Immunity is denied only when there was a violation and it was clearly established."),
    )


def _theory_cell(theory: str, a: Answer) -> str:
    result = getattr(a, theory)
    if theory == "state_created_danger" and result.recognized is False:
        head = f'<span class="dsh-theory dsh-no">{NO} not recognised</span>'
    else:
        cls, text = yes_no(result.met, "met", "not met")
        head = f'<span class="dsh-theory {cls}">{text}</span>'
    # Each element opens on a click, a tap, or Enter (a <details>): its statement, why, and authority.
    chips = "".join(
        f'<details class="dsh-el {"dsh-yes" if e.met else "dsh-no"}" data-element="{e.id}">'
        f'<summary>{YES if e.met else NO} {short_label(e.id)}</summary>'
        f'<span class="dsh-why">{escape(e.label)}: {"met" if e.met else "not met"}. {escape(e.why)} '
        f'({escape(e.authority)})</span></details>'
        for e in result.elements
    )
    return f'<td data-field="{theory}">{head}<br>{chips}</td>'


def circuit_row_html(a: Answer, forum: str | None = None) -> str:
    """One circuit: its name, the three answers (first, so they are never the column cut off),
    then each theory's elements."""
    cells = [f'<th scope="row" data-field="circuit" title="{attr(a.test_in_force)}">{CIRCUIT_NAMES[a.circuit]}</th>']
    values = {"violation": a.violation, "clearly_established": a.clearly_established,
              "qualified_immunity": a.qualified_immunity}
    cells.extend(f'<td data-field="{f}" data-value="{str(values[f]).lower()}" class="{cls}" '
                 f'title="{attr(title)}">{text}</td>'
                 for f, cls, text, title in outcome_cells(a))
    cells.extend(_theory_cell(t, a) for t, _, _ in THEORIES)
    forum_cls = ' class="dsh-forum"' if a.circuit == forum else ""
    return f'<tr data-circuit="{a.circuit}"{forum_cls}>{"".join(cells)}</tr>'


def circuit_table_html(comparison: Comparison, forum: str | None = None, style: bool = True) -> str:
    """The twelve circuits, each theory's elements met or not, and the three answers.

    Click (tap, or Enter on) an element for its full statement, why, and its authority.
    """
    head = "".join(f'<th scope="col">{h}</th>' for h in
                   ("Circuit", "Violation (prong one)", "Clearly established (prong two)", "Qualified immunity",
                    *(t[1] for t in THEORIES)))
    rows = "".join(circuit_row_html(a, forum) for a in comparison.results)
    table = f'<table class="dsh-table deshaney-circuit-table-html"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    # The box scrolls both ways, so its header row and the circuit column stay in view.
    return (CSS if style else "") + f'<div class="dsh-scroll">{table}</div>'



THEORY_LABELS = {t: label for t, label, _ in THEORIES}


class ElementRows(list):
    """The element rows without pandas (the browser version, JupyterLite, has none): an HTML table."""

    columns = ["theory", "element", "label", "met", "status", "why", "authority"]

    def to_dict(self, orient: str = "records") -> list[dict]:
        return list(self)

    def _repr_html_(self) -> str:
        return element_table_html(self)


@lru_cache(maxsize=1)
def _element_frame_class():
    """A DataFrame of elements that shows itself as a readable table: the theory and element in words,
    met or not, the reason and the authority in full (pandas would cut them at 50 characters). Built on
    first use, so this module imports without pandas (JupyterLite)."""
    import pandas as pd

    class ElementFrame(pd.DataFrame):
        @property
        def _constructor(self):
            return pd.DataFrame  # a filtered or computed frame is a plain one

        def _repr_html_(self) -> str:  # noqa: D401 - IPython's hook
            return element_table_html(self)

    return ElementFrame


def __getattr__(name: str):
    if name == "ElementFrame":
        return _element_frame_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def element_frame(answer: Answer):
    """One row per element of each theory: whether it is met, why, and on whose authority. A pandas
    DataFrame where pandas is installed, else `ElementRows`; either shows as `element_table_html`."""
    rows = [{"theory": theory, "element": e.id, "label": e.label, "met": e.met,
             "status": f"{YES} met" if e.met else f"{NO} not met", "why": e.why, "authority": e.authority}
            for theory, e in answer.elements()]
    try:
        frame = _element_frame_class()
    except ImportError:
        return ElementRows(rows)
    return frame(rows, columns=ElementRows.columns)


def element_table_html(frame) -> str:
    """The element frame for people: theory and element as words, every reason in full, wrapping."""
    rows = []
    for r in frame.to_dict("records"):
        cls = "dsh-yes" if r["met"] else "dsh-no"
        rows.append(f'<tr data-element="{attr(str(r["element"]))}"><td>{escape(THEORY_LABELS.get(r["theory"], str(r["theory"])))}</td>'
                    f'<td>{escape(str(r["label"]))}</td><td class="{cls}">{escape(str(r["status"]))}</td>'
                    f'<td>{escape(str(r["why"]))}</td><td class="dsh-muted">{escape(str(r["authority"]))}</td></tr>')
    head = "".join(f"<th>{h}</th>" for h in ("Theory", "Element", "Met?", "Why", "Authority"))
    return (CSS + '<table class="dsh-table deshaney-element-table" style="table-layout:auto">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def answer_card_html(a: Answer, style: bool = True, law: Law | None = None, conduct_known: bool = True,
                     open_elements: bool = False) -> str:
    """One circuit's answer in full: both prongs, every element with its reason and authority.
    `conduct_known=False`: the conduct date is not known and the decision date stands in; say so.
    `open_elements`: each theory's list of elements shown open (the projector's "why")."""
    conduct = (f"conduct {a.conduct_date}" if conduct_known else
               f"conduct date unknown (the decision date stands in)")
    parts = [f'<div class="dsh-card" data-circuit="{a.circuit}"><h4>{CIRCUIT_NAMES[a.circuit]}: '
             f'{conduct}, decided {a.decision_date}</h4>']
    for f, cls, text, title in outcome_cells(a):
        parts.append(f'<div data-field="{f}"><span class="{cls}"><b>{text}</b></span> '
                     f'<span class="dsh-muted">{escape(title)}</span></div>')
    for theory, label, _ in THEORIES:
        result = getattr(a, theory)
        status = ("not recognised" if theory == "state_created_danger" and result.recognized is False
                  else "met" if result.met else "not met")
        items = "".join(
            f'<li class="{"dsh-yes" if e.met else "dsh-no"}">{YES if e.met else NO} <b>{escape(e.label)}</b>'
            f' &mdash; {escape(e.why)} <span class="dsh-muted">({escape(e.authority)})</span></li>'
            for e in result.elements)
        opened = " open" if open_elements and result.elements else ""
        parts.append(f'<details data-theory="{theory}"{opened}><summary>{label}: {status}</summary><ul>{items}</ul></details>')
    basis = a.clearly_established_basis
    if law is not None:
        parts.append(f'<div class="dsh-basis" data-route="{basis.route}"><b>Prong two</b>: {escape(basis.why)}<br>'
                     f'{basis_html(basis, law)}</div>')
    parts.append("</div>")
    return (CSS if style else "") + "".join(parts)


# --- which fact would change the answer ---------------------------------------------------

def flips_html(found: dict[str, list[Flip]], forum: str | None = None) -> str:
    """For each circuit, the one-fact changes that change violation or immunity."""
    parts = ['<div class="dsh-flips"><b>Which single fact would change the answer?</b>']
    order = ([forum] if forum in found else []) + [c for c in CIRCUITS if c in found and c != forum]
    for cid in order:
        flips = found[cid]
        opened = " open" if cid == forum else ""
        cls = ' class="dsh-forum"' if cid == forum else ""
        if not flips:
            parts.append(f'<details data-circuit="{cid}"{cls}{opened}><summary>{CIRCUIT_NAMES[cid]}: '
                         f'no single change of fact alters the answer</summary></details>')
            continue
        items = "".join(f'<li data-fact="{fl.fact}">{escape(fl.text)}</li>' for fl in flips)
        n = len(flips)
        parts.append(f'<details data-circuit="{cid}"{cls}{opened}><summary>{CIRCUIT_NAMES[cid]}: '
                     f'{n} change{"s" if n != 1 else ""} would alter the answer</summary><ul>{items}</ul></details>')
    parts.append("</div>")
    return "".join(parts)


# --- the heatmap: circuits against elements -----------------------------------------------

OUTCOME_COLUMNS = (("violation", "Violation"), ("clearly_established", "Clearly est."),
                   ("qualified_immunity", "Immunity denied"))


#: The chart's columns: each groups the elements that do one job in the circuits' tests (each
#: circuit words and numbers its test its own way), so a column means the same in every row.
#: (theory, column label, pattern over element ids); the first pattern an id matches wins.
ELEMENT_GROUPS = (
    ("special_relationship", "Custody: held in custody", r"custod(?!.*indifference)|confine"),
    ("special_relationship", "Custody: culpability", r"indifference|culpab|judgment"),
    ("state_created_danger", "Danger: harm from a private person or peril", r"third_party|peril"),
    ("state_created_danger", "Danger: created or increased", r"creat|increas|enhanc"),
    ("state_created_danger", "Danger: an affirmative act", r"affirmative"),
    ("state_created_danger", "Danger: to this victim in particular",
     r"specific|victim|particular|group|special|plaintiff"),
    ("state_created_danger", "Danger: causation", r"caus"),
    ("state_created_danger", "Danger: foreseeable risk", r"risk|foresee"),
    ("state_created_danger", "Danger: culpability", r"conscience|indifference|disregard|culpab|state_of_mind|willful"),
    ("direct_harm", "Direct: a state actor did the harm", r"state_actor"),
    ("direct_harm", "Direct: culpability", r"conscience|culpab"),
)
#: Where an element no group names goes (a new element in the data shows up, never vanishes).
OTHER_GROUP = {t: f"{short}: other element" for t, _, short in THEORIES}
RECOGNISED_COLUMN = "Danger recognised"


def element_group(theory: str, element_id: str) -> str:
    """The chart column an element belongs to."""
    for t, label, pattern in ELEMENT_GROUPS:
        if t == theory and re.search(pattern, element_id):
            return label
    return OTHER_GROUP[theory]


def heatmap_columns(comparison: Comparison) -> list[tuple[str, str | None]]:
    """(theory, group label) columns in the order of ELEMENT_GROUPS, only groups some circuit
    uses; (state_created_danger, None) says whether the circuit recognises the theory at all."""
    used = {(t, element_group(t, e.id)) for a in comparison.results for t, e in a.elements()}
    cols: list[tuple[str, str | None]] = []
    for theory, _, _ in THEORIES:
        if theory == "state_created_danger":
            cols.append((theory, None))
        labels = [label for t, label, _ in ELEMENT_GROUPS if t == theory] + [OTHER_GROUP[theory]]
        cols.extend((theory, label) for label in labels if (theory, label) in used)
    return cols


def _recognition_cell(a: Answer, assumed: bool) -> tuple[int, str]:
    if a.state_created_danger.recognized:
        return 1, "The circuit recognises state-created danger on the decision date"
    if assumed:
        return 1, "Not recognised by the circuit, but assumed (analysis option)"
    return 0, "The circuit does not recognise state-created danger on the decision date"


OUTCOME_HOVER = {
    "violation": "Prong one: a due-process violation, under the law on the decision date",
    "clearly_established": "Prong two: clearly established, under the law on the conduct date",
    "qualified_immunity": "Immunity is denied only when there was a violation and it was clearly established",
}


def heatmap_data(comparison: Comparison, assumed: bool = False) -> dict:
    """x, y, z (1 met / 0 not met / None not part of the circuit's test) and each cell's tooltip, as
    plain text (tablewidget.ElementChart draws them; the browser marks each cell from z).

    Each column is one kind of element (ELEMENT_GROUPS), named on the axis; where a circuit's
    test states two elements of one kind, the cell is met only if both are, and the tooltip names
    each. The tooltip does not depend on the facts (the table says why each element is met), so
    moving a fact re-sends only the cells. `assumed` is the `assume_recognized` option.
    """
    cols = heatmap_columns(comparison)
    x = [RECOGNISED_COLUMN if g is None else g for _, g in cols]
    x += [label for _, label in OUTCOME_COLUMNS]
    y, z, hover = [], [], []
    for a in comparison.results:
        y.append(CIRCUIT_ABBREVIATIONS[a.circuit])
        zr, hr = [], []
        for theory, group in cols:
            if group is None:
                cell = _recognition_cell(a, assumed)
            else:
                elems = [e for e in getattr(a, theory).elements if element_group(theory, e.id) == group]
                if elems:
                    cell = (int(all(e.met for e in elems)),
                            "\n".join(f"{_wrap(e.label)}\n{e.authority}" for e in elems))
                else:
                    cell = (None, "(not an element of this circuit's test)")
            zr.append(cell[0])
            hr.append(cell[1])
        for field, cls, words, title in outcome_cells(a):
            zr.append(1 if cls == "dsh-yes" else 0)
            hr.append(_wrap(OUTCOME_HOVER[field]))
        z.append(zr)
        hover.append(hr)
    return {"x": x, "y": y, "z": z, "hover": hover}


def _wrap(text: str, width: int = 70) -> str:
    """Break tooltip text into lines of about `width` characters."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


#: The element chart's title (tablewidget.ElementChart). Its two colours (element_chart.css): met
#: (or favouring the plaintiff) dark green, not met a light magenta (PiYG, safe for red-green colour
#: blindness); they differ in lightness too, so the chart reads in greyscale and on a washed-out
#: projector, and each cell carries its mark as text.
CHART_TITLE = ("Elements met (dark green) or not (light pink), circuit by circuit; blank: not part of "
               "that circuit's test. Hover a cell for its elements and their authority.")


# --- qualified immunity: the timeline and the argument ------------------------------------

EVENT_STYLE = {
    "violation": ("circle", GOOD, "held a violation"),
    "no_violation": ("circle-open", BAD, "held no violation"),
    "undecided": ("circle-open", "#777777", "did not decide a violation"),
    "adopted": ("diamond", "#1f4e9c", "recognised the theory"),
    "rejected": ("diamond-open", "#1f4e9c", "declined the theory"),
    "undone": ("x", "#333333", "undone (overruled, vacated, abrogated...)"),
}


def timeline_events(law: Law) -> list[dict]:
    """Every dated event a circuit's law went through: decisions, adoptions, later undoing."""
    events = []
    courts = CIRCUITS + ("scotus",)
    for p in law.precedents.values():
        if p.court not in courts:
            continue
        kind = "violation" if p.violation else "no_violation" if p.violation is False else "undecided"
        events.append({"court": p.court, "day": p.decided, "kind": kind, "id": p.id,
                       "text": f"{p.short_name} ({p.decided.isoformat()}): {EVENT_STYLE[kind][2]}"})
        for h in p.history:
            if h.event in DEAD_EVENTS:
                by = f" by {h.by}" if h.by else ""
                events.append({"court": p.court, "day": h.day, "kind": "undone", "id": p.id,
                               "text": f"{p.short_name} {h.event}{by} ({h.day.isoformat()})"})
    for cid, circ in law.circuits.items():
        for s in circ.status:
            name = law.precedents[s.authority.case].short_name
            kind = "adopted" if s.recognized else "rejected"
            events.append({"court": cid, "day": s.start, "kind": kind, "id": s.authority.case,
                           "text": f"{name} ({s.start.isoformat()}): the circuit {EVENT_STYLE[kind][2]}"})
    return sorted(events, key=lambda e: (e["day"], e["court"]))


def timeline_figure(law: Law, conduct: date, decision: date, forum: str | None = None,
                    presentation: bool = False) -> go.Figure:
    """Each circuit's precedents on one time axis, the conduct and decision dates marked."""
    events = timeline_events(law)
    rows = [CIRCUIT_ABBREVIATIONS[c] for c in CIRCUITS + ("scotus",)]
    traces = []
    for kind, (symbol, colour, words) in EVENT_STYLE.items():
        chosen = [e for e in events if e["kind"] == kind]
        traces.append(go.Scatter(
            x=[e["day"].isoformat() for e in chosen], y=[CIRCUIT_ABBREVIATIONS[e["court"]] for e in chosen],
            mode="markers", name=words, text=[e["text"] for e in chosen],
            hovertemplate="%{text}<extra></extra>",
            marker={"symbol": symbol, "color": colour, "size": 13 if presentation else 9,
                    "line": {"width": 2, "color": colour}},
        ))
    fig = go.Figure(traces)
    fig.update_layout(
        height=600 if presentation else 460, margin={"l": 80, "r": 10, "t": 40, "b": 40},
        font={"size": 18 if presentation else 12}, plot_bgcolor="white",
        title={"text": "Each circuit's law over time", "x": 0},
        yaxis={"categoryorder": "array", "categoryarray": rows, "autorange": "reversed", "gridcolor": "#eee"},
        xaxis={"type": "date", "gridcolor": "#eee"},
        legend={"orientation": "h", "y": -0.12},
        shapes=timeline_shapes(conduct, decision, forum),
        annotations=timeline_annotations(conduct, decision),
    )
    return fig


def timeline_shapes(conduct: date, decision: date, forum: str | None) -> list[dict]:
    conduct, decision = conduct.isoformat(), decision.isoformat()  # plain JSON for the widget
    shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": conduct, "x1": conduct, "y0": 0, "y1": 1,
         "line": {"color": "#d95f02", "width": 3}},
        {"type": "line", "xref": "x", "yref": "paper", "x0": decision, "x1": decision, "y0": 0, "y1": 1,
         "line": {"color": "#7570b3", "width": 3, "dash": "dash"}},
    ]
    if forum:
        row = CIRCUIT_ABBREVIATIONS[forum]
        shapes.append({"type": "rect", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": row, "y1": row,
                       "line": {"color": "#fdb863", "width": 18}, "opacity": 0.35, "layer": "below"})
    return shapes


def timeline_annotations(conduct: date, decision: date, conduct_known: bool = True) -> list[dict]:
    conduct, decision = conduct.isoformat(), decision.isoformat()
    said = f"conduct {conduct}" if conduct_known else "conduct date unknown"
    return [
        {"x": conduct, "y": 1.0, "xref": "x", "yref": "paper", "text": said,
         "showarrow": False, "yanchor": "bottom", "xanchor": "right", "font": {"color": "#d95f02"}},
        {"x": decision, "y": 1.0, "xref": "x", "yref": "paper", "text": f"decision {decision}",
         "showarrow": False, "yanchor": "bottom", "xanchor": "left", "font": {"color": "#7570b3"}},
    ]


def on_point_html(op: OnPoint, law: Law, forum: str) -> str:
    """Whether the case a student cites shows the right was clearly established, check by check."""
    p = law.precedents[op.precedent]
    if op.on_point:
        verdict = ("dsh-yes", f"{YES} On point: it binds the {CIRCUIT_NAMES[forum]} and every check passes.")
    elif op.counts_toward_consensus:
        verdict = ("dsh-yes", f"{YES} Persuasive and on point: it counts toward a consensus of other circuits, "
                              "but alone it does not clearly establish the law here.")
    else:
        verdict = ("dsh-no", f"{NO} Not on point: it does not show the right was clearly established.")
    checks = "".join(
        f'<li data-check="{c.id}" class="{"dsh-yes" if c.passed else "dsh-no"}">{YES if c.passed else NO} '
        f'<b>{escape(c.label)}</b> &mdash; {escape(c.detail)}</li>' for c in op.checks)
    if op.distinctions:
        dist = "".join(f"<li>{escape(d)}</li>" for d in op.distinctions)
        dist = f"<p><b>How the other side would distinguish it:</b></p><ul class=\"dsh-distinctions\">{dist}</ul>"
    else:
        dist = "<p><b>How the other side would distinguish it:</b> no difference of fact favours the official.</p>"
    summary = f'<p class="dsh-muted">{escape(student_text(p.summary))}</p>' if p.summary else ""
    return (f'<div class="dsh-card" data-precedent="{p.id}"><h4>{escape(p.cite())}</h4>{summary}'
            f'<p class="{verdict[0]}"><b>{verdict[1]}</b></p><ul>{checks}</ul>{dist}</div>')


def order_rule(law: Law, decision: date) -> tuple[str, str | None]:
    """('none' | 'mandatory' | 'discretionary', authority case id) on the decision date."""
    current = None
    for start, order, cite in law.method.order:
        if start <= decision:
            current = (order, cite.case)
    return current or ("none", None)


def generality_in_force(law: Law, decision: date, circuit=None) -> tuple[str, str | None]:
    """The level the law on the decision date calls for, and the case that says so (the Supreme
    Court's or the circuit's own, whichever spoke last)."""
    from .facts import Facts
    from .immunity import method_for

    m = method_for(law, circuit, Facts(conduct_date=decision, decision_date=decision))
    return m.level, (m.authority.case if m.authority else None)


def prongs_rows(comparison: Comparison, law: Law, forum: str | None = None) -> str:
    """Prong one and prong two apart for every circuit, with what prong two rests on."""
    rows = []
    for a in comparison.results:
        basis = a.clearly_established_basis
        cites = ", ".join(law.precedents[p].short_name for p in basis.precedents if p in law.precedents)
        cells = "".join(f'<td data-field="{f}" class="{cls}" title="{attr(title)}">{text}</td>'
                        for f, cls, text, title in outcome_cells(a))
        forum_cls = ' class="dsh-forum"' if a.circuit == forum else ""
        rows.append(f'<tr data-circuit="{a.circuit}"{forum_cls}><td>{CIRCUIT_NAMES[a.circuit]}</td>{cells}'
                    f'<td class="dsh-muted">{escape(basis.route.replace("_", " "))}'
                    f'{": " + escape(cites) if cites else ""}</td></tr>')
    head = ("<tr><th>Circuit</th><th>Prong one: violation (law on the decision date)</th>"
            "<th>Prong two: clearly established (law on the conduct date)</th><th>Qualified immunity</th>"
            "<th>Prong two rests on</th></tr>")
    return f'<table class="dsh-table">{head}{"".join(rows)}</table>'


def basis_html(basis, law: Law) -> str:
    """What prong two rests on: the precedents, what the facts share with them, what the other side
    would say, cases pointing the other way, and the workbook's own readings it used."""
    parts = [f'<span class="dsh-muted">Rests on: {escape(precedent_names(law, basis.precedents) or "no precedent")}</span>']
    if basis.shared:
        parts.append('<div data-part="shared"><b>What the facts share with it:</b> '
                     + " ".join(escape(x) for x in basis.shared) + "</div>")
    if basis.distinctions:
        parts.append('<div data-part="distinctions"><b>What the other side would say:</b> '
                     + " ".join(escape(x) for x in basis.distinctions) + "</div>")
    if basis.counterexamples:
        names = ", ".join(law.precedents[i].short_name for i in basis.counterexamples if i in law.precedents)
        parts.append(f'<div data-part="counterexamples"><b>Cases holding like conduct lawful:</b> {escape(names)}</div>')
    if basis.ours:
        parts.append('<div data-part="ours" class="dsh-muted"><b>The workbook\'s own reading:</b> '
                     + " ".join(escape(x) for x in basis.ours) + "</div>")
    return "".join(parts)


def precedent_names(law: Law, ids: Iterable[str]) -> str:
    return ", ".join(law.precedents[i].cite() for i in ids if i in law.precedents)


# --- what a student reads: no data-entry notes, no reprs --------------------------------

#: Sentences or clauses written for whoever maintains the data, not for a student.
_DATA_NOTE = re.compile(
    r"\bencod(e|ed|es|ing)\b|supplied text|\bseed \d{3}\b|\(seed\b|integration review|\bnot read\b|"
    r"\b(opening|text) of the (dissent|opinion|majority|concurrence) (was|were) (not )?seen\b|\bverification\b|\bdoctrine\.md\b|\bTODO\b", re.I)


def student_text(text: str | None) -> str:
    """Text from the data as a student should read it: parentheses, clauses and sentences that are
    notes for the maintainers ("encode recognition ...", "author not named in the supplied text",
    "Encoded (integration review): ...") are left out; everything else is kept word for word."""
    if not text:
        return ""
    out = re.sub(r"\s*\([^()]*\)", lambda m: "" if _DATA_NOTE.search(m.group(0)) else m.group(0), text)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"\u201c(])", out.strip())
    kept = []
    for sentence in sentences:
        if not _DATA_NOTE.search(sentence):
            kept.append(sentence)
            continue
        clauses = []
        for clause in re.split(r";\s+", sentence):  # keep the clauses before the first note
            if _DATA_NOTE.search(clause):
                break
            clauses.append(clause)
        if clauses:
            joined = "; ".join(clauses).rstrip(" ;,:")
            kept.append(joined if joined.endswith((".", "!", "?")) else joined + ".")
    return " ".join(kept).strip()


def facts_lines(facts: Facts, *, show_circuit: bool = True, conduct_known: bool = True,
                list_defaults: bool = False) -> list[str]:
    """The facts in plain English: forum and dates, then every fact not at its default (and, with
    `list_defaults`, one line naming what stays at its default)."""
    vocab = vocabulary()
    lines = []
    if show_circuit and facts.circuit:
        lines.append(f"{vocab['circuit'].label}: {CIRCUIT_NAMES[facts.circuit]}")
    lines.append(f"{vocab['conduct_date'].label}: " + (facts.conduct_date.isoformat() if conduct_known else
                 "unknown (the decision date stands in for it)"))
    lines.append(f"{vocab['decision_date'].label}: {facts.decision_date.isoformat()}")
    defaults = []
    for name, spec in vocab.items():
        if spec.kind in ("circuit", "date"):
            continue
        value = getattr(facts, name)
        if value != spec.default:
            lines.append(f"{spec.label}: {spec.label_of(value)}")
        elif not spec.option:
            defaults.append(f"{spec.label.lower()}: {spec.label_of(value)}")
    if list_defaults and defaults:
        lines.append("Everything else as by default - " + "; ".join(defaults))
    return lines


def facts_html(facts: Facts) -> str:
    """How a `Facts` shows at the end of a notebook cell: a short list in words, not a repr."""
    items = "".join(f"<li>{escape(line)}</li>" for line in facts_lines(facts))
    return (f'<details class="deshaney-facts-shown"><summary>The facts now in the lab</summary>'
            f"<ul>{items}</ul></details>")


def facts_text(facts: Facts) -> str:
    return "The facts now in the lab:\n" + "\n".join(f"  {line}" for line in facts_lines(facts))


class PanelHTML(str):
    """HTML returned by a lab method: a string to code, rendered (not quoted) at the end of a cell."""

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(re.sub(r"<[^>]+>", " ", str(self)).strip())


def register_display() -> None:
    """In IPython, show a `Facts` left at the end of a cell in words, never as `Facts(...)`."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(Facts, facts_html)
    formatters["text/plain"].for_type(Facts, lambda obj, p, cycle: p.text(facts_text(obj)))
