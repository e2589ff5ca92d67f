"""Answers drawn for people: HTML tables and cards, pandas frames, plotly figures.

No ipywidgets here (widgets.py and qilab.py wrap these), so a static page, a test or
the exercise bank can render an answer without a kernel's widget machinery. Every
yes/no is readable by colour and by text: a check or a cross, and the words.
"""
from __future__ import annotations


from datetime import date
from html import escape
from typing import Iterable

import plotly.graph_objects as go

from .engine import Answer, Comparison, Flip
from .facts import CIRCUIT_ABBREVIATIONS, CIRCUIT_NAMES, CIRCUITS
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
.dsh-table tr.dsh-forum td {background: #fffbe6; font-weight: 600;}
.dsh-yes {color: #1b7837;} .dsh-no {color: #c51b7d;}
td.dsh-yes {background: #e6f4ea;} td.dsh-no {background: #fbe9f2;}
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
.deshaney-fact-grid {display: block !important; column-width: 330px; column-gap: 18px;}
.deshaney-fact-group {break-inside: avoid; display: inline-flex !important; width: 100%;}
.dsh-help {color: #666; font-size: 0.85em;}
.deshaney-chart, .deshaney-timeline {display: block !important; width: 100%;}
.deshaney-chart > *, .deshaney-timeline > * {width: 100%;}
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


def _attr(text: str) -> str:
    return escape(text, quote=True)


def outcome_cells(a: Answer) -> tuple[tuple[str, str, str, str], ...]:
    """(field, css class, text, title) for prong one, prong two and the immunity answer."""
    basis = a.clearly_established_basis
    v_cls, v_text = yes_no(a.violation, "violation", "no violation")
    c_cls, c_text = yes_no(a.clearly_established, "clearly established", "not clearly established")
    q_cls, q_text = yes_no(not a.qualified_immunity, "immunity denied", "immunity granted")
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
    chips = "".join(
        f'<span class="dsh-el {"dsh-yes" if e.met else "dsh-no"}" data-element="{e.id}" '
        f'title="{_attr(e.label)}: {"met" if e.met else "not met"}. {_attr(e.why)} ({_attr(e.authority)})">'
        f'{YES if e.met else NO} {short_label(e.id)}</span>'
        for e in result.elements
    )
    return f'<td data-field="{theory}">{head}<br>{chips}</td>'


def circuit_row_html(a: Answer, forum: str | None = None) -> str:
    cells = [f'<td data-field="circuit" title="{_attr(a.test_in_force)}">{CIRCUIT_NAMES[a.circuit]}</td>']
    cells.extend(_theory_cell(t, a) for t, _, _ in THEORIES)
    values = {"violation": a.violation, "clearly_established": a.clearly_established,
              "qualified_immunity": a.qualified_immunity}
    cells.extend(f'<td data-field="{f}" data-value="{str(values[f]).lower()}" class="{cls}" '
                 f'title="{_attr(title)}">{text}</td>'
                 for f, cls, text, title in outcome_cells(a))
    forum_cls = ' class="dsh-forum"' if a.circuit == forum else ""
    return f'<tr data-circuit="{a.circuit}"{forum_cls}>{"".join(cells)}</tr>'


def circuit_table_html(comparison: Comparison, forum: str | None = None, style: bool = True) -> str:
    """The twelve circuits, each theory's elements met or not, and the three answers.

    Hover an element for its full statement, the fact that decided it and its authority.
    """
    head = "".join(f"<th>{h}</th>" for h in
                   ("Circuit", *(t[1] for t in THEORIES), "Violation (prong one)",
                    "Clearly established (prong two)", "Qualified immunity"))
    rows = "".join(circuit_row_html(a, forum) for a in comparison.results)
    table = f'<table class="dsh-table deshaney-circuit-table-html"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    return (CSS if style else "") + table


class ElementRows(list):
    """The element rows without pandas (the browser version, JupyterLite, has none): an HTML table."""

    columns = ["theory", "element", "label", "met", "status", "why", "authority"]

    def to_dict(self, orient: str = "records") -> list[dict]:
        return list(self)

    def _repr_html_(self) -> str:
        shown = [c for c in self.columns if c != "met"]
        head = "".join(f"<th>{escape(c)}</th>" for c in shown)
        body = []
        for r in self:
            cells = "".join(f'<td class="{("dsh-yes" if r["met"] else "dsh-no") if c == "status" else ""}">'
                            f"{escape(str(r[c]))}</td>" for c in shown)
            body.append(f'<tr data-element="{_attr(str(r["element"]))}">{cells}</tr>')
        return (CSS + '<table class="dsh-table deshaney-element-table">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def element_frame(answer: Answer):
    """One row per element of each theory: whether it is met, why, and on whose authority.
    A pandas DataFrame where pandas is installed; else `ElementRows`, shown as an HTML table."""
    rows = [{"theory": theory, "element": e.id, "label": e.label, "met": e.met,
             "status": f"{YES} met" if e.met else f"{NO} not met", "why": e.why, "authority": e.authority}
            for theory, e in answer.elements()]
    try:
        import pandas as pd
    except ImportError:
        return ElementRows(rows)
    return pd.DataFrame(rows, columns=ElementRows.columns)


def answer_card_html(a: Answer, style: bool = True, law: Law | None = None) -> str:
    """One circuit's answer in full: both prongs, every element with its reason and authority."""
    parts = [f'<div class="dsh-card" data-circuit="{a.circuit}"><h4>{CIRCUIT_NAMES[a.circuit]}: '
             f'conduct {a.conduct_date}, decided {a.decision_date}</h4>']
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
        parts.append(f'<details><summary>{label}: {status}</summary><ul>{items}</ul></details>')
    basis = a.clearly_established_basis
    if basis.precedents and law is not None:
        names = ", ".join(escape(law.precedents[p].cite()) for p in basis.precedents if p in law.precedents)
        parts.append(f'<div class="dsh-muted">Prong two rests on: {names}</div>')
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


def heatmap_columns(comparison: Comparison) -> list[tuple[str, int]]:
    """(theory, slot) columns: each theory's elements by position, widest circuit first;
    slot -1 of state-created danger says whether the circuit recognises the theory at all."""
    cols = []
    for theory, _, _ in THEORIES:
        if theory == "state_created_danger":
            cols.append((theory, -1))
        width = max(len(getattr(a, theory).elements) for a in comparison.results)
        cols.extend((theory, i) for i in range(width))
    return cols


def _recognition_cell(a: Answer, assumed: bool) -> tuple[int, str, str]:
    if a.state_created_danger.recognized:
        return 1, YES, "The circuit recognises state-created danger on the decision date"
    if assumed:
        return 1, YES, "Not recognised by the circuit, but assumed (analysis option)"
    return 0, NO, "The circuit does not recognise state-created danger on the decision date"


OUTCOME_HOVER = {
    "violation": "Prong one: a due-process violation, under the law on the decision date",
    "clearly_established": "Prong two: clearly established, under the law on the conduct date",
    "qualified_immunity": "Immunity is denied only when there was a violation and it was clearly established",
}


def heatmap_data(comparison: Comparison, assumed: bool = False) -> dict:
    """x, y, z (1 met / 0 not met / None no such element), cell text and hover text.

    Elements sit in slots (Danger 1, Danger 2, ...) because the circuits word and number
    their tests differently; the hover names the circuit's own element and its authority.
    The hover does not depend on the facts (the table beside the chart says why each element
    is met), so moving a fact re-sends only the cells: measured in Chromium, re-sending the
    long explanations with every change held back the table's repaint (p95 over 100 ms).
    `assumed` is the `assume_recognized` option, which the answers do not carry.
    """
    cols = heatmap_columns(comparison)
    short = {t: s for t, _, s in THEORIES}
    x = [f"{short[t]} recognised" if i < 0 else f"{short[t]} {i + 1}" for t, i in cols]
    x += [label for _, label in OUTCOME_COLUMNS]
    y, z, text, hover = [], [], [], []
    for a in comparison.results:
        y.append(CIRCUIT_ABBREVIATIONS[a.circuit])
        zr, tr, hr = [], [], []
        for theory, i in cols:
            elems = getattr(a, theory).elements
            if i < 0:
                cell = _recognition_cell(a, assumed)
            elif i < len(elems):
                e = elems[i]
                cell = (1 if e.met else 0, YES if e.met else NO, f"{_wrap(e.label)}<br><i>{e.authority}</i>")
            else:
                cell = (None, "", "(this circuit states no such element)")
            zr.append(cell[0])
            tr.append(cell[1])
            hr.append(cell[2])
        for field, cls, words, title in outcome_cells(a):
            good = cls == "dsh-yes"
            zr.append(1 if good else 0)
            tr.append(YES if good else NO)
            hr.append(_wrap(OUTCOME_HOVER[field]))
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    return {"x": x, "y": y, "z": z, "text": text, "customdata": hover}


def _wrap(text: str, width: int = 70) -> str:
    """Break hover text into lines plotly can show (it does not wrap on its own)."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def heatmap_figure(comparison: Comparison, presentation: bool = False, assumed: bool = False) -> go.Figure:
    """The circuits-by-elements chart as a plain figure (widgets.py wraps it once in a FigureWidget)."""
    data = heatmap_data(comparison, assumed)
    size = 18 if presentation else 12
    fig = go.Figure(go.Heatmap(
        **data, zmin=0, zmax=1, showscale=False, xgap=2, ygap=2,
        colorscale=[[0, BAD], [0.5, BAD], [0.5, GOOD], [1, GOOD]],
        texttemplate="%{text}", textfont={"size": size + 2, "color": "white"},
        hovertemplate="<b>%{y}</b> %{x}<br>%{customdata}<extra></extra>",
    ))
    fig.update_layout(
        height=560 if presentation else 440, margin={"l": 80, "r": 10, "t": 40, "b": 110},
        font={"size": size}, plot_bgcolor="white",
        title={"text": f"Elements met ({YES}) or not ({NO}), circuit by circuit", "x": 0},
        yaxis={"autorange": "reversed"}, xaxis={"tickangle": -40, "side": "bottom"},
    )
    return fig


def update_heatmap(fig, comparison: Comparison, assumed: bool = False) -> None:
    """Redraw the chart in place, in one batched message with only what changed."""
    data = heatmap_data(comparison, assumed)
    trace = fig.data[0]
    with fig.batch_update():
        if list(trace.x) != data["x"]:
            trace.x = data["x"]
        trace.z = data["z"]
        trace.text = data["text"]
        if [list(row) for row in trace.customdata] != data["customdata"]:
            trace.customdata = data["customdata"]


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


def timeline_annotations(conduct: date, decision: date) -> list[dict]:
    conduct, decision = conduct.isoformat(), decision.isoformat()
    return [
        {"x": conduct, "y": 1.0, "xref": "x", "yref": "paper", "text": f"conduct {conduct}",
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
    summary = f'<p class="dsh-muted">{escape(p.summary)}</p>' if p.summary else ""
    return (f'<div class="dsh-card" data-precedent="{p.id}"><h4>{escape(p.cite())}</h4>{summary}'
            f'<p class="{verdict[0]}"><b>{verdict[1]}</b></p><ul>{checks}</ul>{dist}</div>')


def order_rule(law: Law, decision: date) -> tuple[str, str | None]:
    """('none' | 'mandatory' | 'discretionary', authority case id) on the decision date."""
    current = None
    for start, order, cite in law.method.order:
        if start <= decision:
            current = (order, cite.case)
    return current or ("none", None)


def generality_in_force(law: Law, decision: date) -> tuple[str, str | None]:
    g = in_force(law.method.generality, decision)
    return (g.level, g.authority.case) if g else ("general", None)


def prongs_rows(comparison: Comparison, law: Law, forum: str | None = None) -> str:
    """Prong one and prong two apart for every circuit, with what prong two rests on."""
    rows = []
    for a in comparison.results:
        basis = a.clearly_established_basis
        cites = ", ".join(law.precedents[p].short_name for p in basis.precedents if p in law.precedents)
        cells = "".join(f'<td data-field="{f}" class="{cls}" title="{_attr(title)}">{text}</td>'
                        for f, cls, text, title in outcome_cells(a))
        forum_cls = ' class="dsh-forum"' if a.circuit == forum else ""
        rows.append(f'<tr data-circuit="{a.circuit}"{forum_cls}><td>{CIRCUIT_NAMES[a.circuit]}</td>{cells}'
                    f'<td class="dsh-muted">{escape(basis.route.replace("_", " "))}'
                    f'{": " + escape(cites) if cites else ""}</td></tr>')
    head = ("<tr><th>Circuit</th><th>Prong one: violation (law on the decision date)</th>"
            "<th>Prong two: clearly established (law on the conduct date)</th><th>Qualified immunity</th>"
            "<th>Prong two rests on</th></tr>")
    return f'<table class="dsh-table">{head}{"".join(rows)}</table>'


def precedent_names(law: Law, ids: Iterable[str]) -> str:
    return ", ".join(law.precedents[i].cite() for i in ids if i in law.precedents)
