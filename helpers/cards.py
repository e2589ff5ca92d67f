"""Test cards: each circuit's state-created-danger test, generated from data/circuits/.

    >>> circuit_card("ca3")        # one circuit: its test beside the others', its cases, its dates
    >>> test_cards()               # all twelve side by side
    >>> test_cards(on="1995-01-01")  # the law as it stood on a date

Nothing here is typed by hand: every label, authority and date is read from the circuit files,
so a card changes when the data does. A card shows, for one circuit,
- when it recognised the theory (and, for the Eleventh, when it stopped);
- its test on the date asked about, element by element, with the case that states each element;
- the same pieces of every circuit's test side by side (the "component" table);
- its leading cases, with how far the workbook checked each one against the opinion;
- where the workbook reads between the lines: every element, test or culpability rule whose note
  begins "Interpretive" (our reading, not the court's words).

A card is plain HTML (`Card.html`); Jupyter shows it through `_repr_html_`. This module imports no
widget or plotting library.
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from .facts import CIRCUIT_NAMES, CIRCUITS, circuit_id
from .law import Circuit, Cite, Element, Version, in_force, later_history, law

# The recurring pieces of a state-created-danger test (lesson 03), and the facts whose rules
# test them. An element is placed under every piece whose facts its rule reads.
COMPONENTS: tuple[tuple[str, str, frozenset], ...] = (
    ("source", "Harm from a private person or a peril", frozenset({"harm_source"})),
    ("act", "An affirmative act", frozenset({"act_kind", "assurance_to_assailant", "promise_to_victim",
                                               "victim_relied"})),
    ("danger", "Danger created or increased", frozenset({"danger_effect"})),
    ("victim", "A specific victim or group", frozenset({"victim_scope"})),
    ("foresee", "Foreseeable harm", frozenset({"harm_foreseeable"})),
    ("cause", "Causation", frozenset({"but_for_cause"})),
    ("culpability", "Culpability / conscience-shock", frozenset({"culpability", "awareness", "deliberation",
                                                                 "@culpable"})),
)
VERIFIED = {"seed": "read in the full opinion", "verified": "checked against the opinion's text",
            "summary": "from a summary only - not checked against the full text",
            "memory": "from memory - not checked against the opinion"}
_STYLE = """<style>
.dw-card{font-family:inherit;max-width:100%}
.dw-card h3{margin:.6em 0 .2em}.dw-card h4{margin:.8em 0 .2em}
.dw-card table{border-collapse:collapse;font-size:90%;table-layout:auto}
.dw-card table th,.dw-card table td,.dw-card table.dw-side th,.dw-card table.dw-side td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
.dw-card td.dw-here,.dw-card th.dw-here{background:#fff6d5}
.dw-card .dw-none{color:#888}.dw-card .dw-interp{color:#8a4b00}
.dw-card ul{margin:.2em 0 .4em 1.2em;padding:0}
.dw-scroll{overflow-x:auto;max-width:100%;
 background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left/3em 100% no-repeat local,
 linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/3em 100% no-repeat local,
 radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.3),rgba(0,0,0,0)) left/1.2em 100% no-repeat scroll,
 radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.3),rgba(0,0,0,0)) right/1.2em 100% no-repeat scroll}
.dw-scroll table.dw-side th:first-child{position:sticky;left:0;z-index:1;background:#f7f7f7;min-width:8em}
.dw-scroll table.dw-side td,.dw-scroll table.dw-side thead th{min-width:9em}
.dw-scroll-hint{color:#555;font-size:90%;margin:.2em 0}
</style>"""


_OURS = ' <span class="dw-interp" title="the workbook\'s reading">(our reading)</span>'


@dataclass(frozen=True)
class Card:
    """An HTML card; shown by Jupyter, or read as `.html` (tests, Voila pages)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _e(text: Any) -> str:
    return _html.escape(str(text), quote=True)


def _day(on: str | date | None) -> date:
    if on is None:
        return date.today()
    if isinstance(on, date):
        return on
    try:
        return date.fromisoformat(str(on))
    except ValueError:
        raise ValueError(f"on: '{on}' is not a date; write it as YYYY-MM-DD, e.g. 2006-03-07") from None


def _circuit(value: Any) -> Circuit:
    cid = circuit_id(value)
    if cid not in CIRCUITS:
        raise ValueError(f"circuit: '{value}' is not a circuit; allowed: ca1 ... ca11, cadc "
                         "(or 1st, 9th, Ninth Circuit, D.C.)")
    return law().circuits[cid]


def rule_facts(rule: Any) -> set[str]:
    """Every fact an element's rule reads ('@culpable' for the culpability scale)."""
    out: set[str] = set()
    if isinstance(rule, dict):
        if "fact" in rule:
            out.add(str(rule["fact"]))
        if "culpable" in rule:
            out.add("@culpable")
        for key in ("all", "any"):
            for sub in rule.get(key, ()) or ():
                out |= rule_facts(sub)
        for key in ("not", "ours", "other"):
            if rule.get(key) is not None:
                out |= rule_facts(rule[key])
    elif isinstance(rule, list):
        for sub in rule:
            out |= rule_facts(sub)
    return out


def components_of(element: Element) -> list[str]:
    """The pieces of the test (COMPONENTS) an element's rule tests."""
    facts = rule_facts(element.rule)
    return [cid for cid, _, keys in COMPONENTS if facts & keys]


def interpretive(note: str | None) -> bool:
    return bool(note) and note.lstrip().lower().startswith("interpretive")


_UNCHECKED = "This wording has not been checked against the opinion's text."
_WORDING = ((re.compile(r"\bencoded as\b"), "treated here as"), (re.compile(r"\bwe encode\b"), "the workbook applies"),
            (re.compile(r"\bis encoded\b"), "is treated here"), (re.compile(r"\bencoded\b"), "treated"))


def student_note(note: str) -> str:
    """A data note as a student should read it: no 'Interpretive' prefix, no references to the
    workbook's own research files, plain words for how a rule was turned into facts."""
    text = re.sub(r"^\s*Interpretive\s*[-:.]\s*", "", note.strip())
    sentences = re.split(r"(?<=[.;])\s+", text)
    out: list[str] = []
    for sentence in sentences:
        if re.search(r"doctrine\.md|\bseed\b|from memory|supplied text", sentence, re.I):
            sentence = _UNCHECKED
        for pattern, plain in _WORDING:
            sentence = pattern.sub(plain, sentence)
        if out and out[-1].endswith(";") and sentence:
            sentence = sentence[:1].lower() + sentence[1:]
        if sentence and sentence not in out:
            out.append(sentence)
    text = " ".join(out)
    return text[:1].upper() + text[1:]


_plain_note = student_note


def _cite(c: Cite) -> str:
    return law().cite(c)


def _case_name(c: Cite) -> str:
    p = law().precedents.get(c.case)
    return p.short_name if p is not None else c.case


def danger_test(circuit: Circuit, day: date) -> Version | None:
    """The state-created-danger test in force on `day` (None before the first)."""
    return in_force(circuit.tests, day)


def recognition(circuit: Circuit) -> list[tuple[date, bool, str]]:
    """(date, recognised?, authority) for every change in the circuit's position."""
    return [(s.start, s.recognized, _cite(s.authority)) for s in circuit.status]


def side_by_side(on: str | date | None = None) -> dict[str, dict[str, list[Element]]]:
    """circuit id -> component id -> the elements of its test (in force on `on`) testing that piece."""
    day = _day(on)
    out: dict[str, dict[str, list[Element]]] = {}
    for cid in CIRCUITS:
        version = danger_test(law().circuits[cid], day)
        row: dict[str, list[Element]] = {c: [] for c, _, _ in COMPONENTS}
        for e in (version.elements if version else ()):
            for comp in components_of(e):
                row[comp].append(e)
        out[cid] = row
    return out


def _side_by_side_html(day: date, here: str | None = None) -> str:
    table = side_by_side(day)
    head = "".join(f'<th class="{"dw-here" if c == here else ""}" data-circuit="{c}">{_e(CIRCUIT_NAMES[c])}</th>'
                   for c in CIRCUITS)
    rows = []
    for comp, label, _ in COMPONENTS:
        cells = []
        for c in CIRCUITS:
            circuit = law().circuits[c]
            elements = table[c][comp]
            if danger_test(circuit, day) is None:
                body = '<span class="dw-none">no test yet</span>'
            elif not elements:
                body = '<span class="dw-none">not a separate element</span>'
            else:
                body = "<br>".join(
                    f'{_e(e.label)}{_OURS if interpretive(e.note) else ""} <i>({_e(_case_name(e.authority))})</i>'
                    for e in elements)
            if danger_test(circuit, day) is not None and not circuit.recognizes(day):
                body += '<br><span class="dw-none">(theory not recognised on this date)</span>'
            cells.append(f'<td class="{"dw-here" if c == here else ""}" data-circuit="{c}" data-component="{comp}">'
                         f'{body}</td>')
        rows.append(f'<tr data-component="{comp}"><th>{_e(label)}</th>{"".join(cells)}</tr>')
    # Thirteen columns are wider than a notebook beside JupyterLab's file browser: the table scrolls
    # sideways, its first column stays, a shadow marks the side with more, and a line says so.
    return ('<p class="dw-scroll-hint">Twelve circuits across: if the table is wider than the page, scroll it '
            'sideways (the scrollbar under it, or Shift + the mouse wheel); the first column stays put.</p>'
            f'<div class="dw-scroll"><table class="dw-side"><thead><tr><th>piece of the test (on {day.isoformat()})</th>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _cases(circuit: Circuit) -> list[Cite]:
    seen: dict[str, Cite] = {}
    groups: Iterable = ([s.authority for s in circuit.status] + [v.authority for v in circuit.tests]
                        + [e.authority for v in circuit.tests for e in v.elements]
                        + [v.authority for v in circuit.special_relationship]
                        + [r.authority for r in circuit.culpability])
    for c in groups:
        p = law().precedents.get(c.case)
        if p is not None and p.court == circuit.id and c.case not in seen:
            seen[c.case] = c
    return sorted(seen.values(), key=lambda c: law().precedents[c.case].decided)


def between_the_lines(circuit: Circuit) -> list[tuple[str, str]]:
    """(where, what) for every rule of the circuit whose note says it is the workbook's reading;
    a note repeated across dated versions of a test is given once, with every date."""
    found: dict[tuple[str, str], list[str]] = {}

    def add(where: str, note: str, start: date) -> None:
        found.setdefault((where, note), []).append(start.isoformat())

    for v in circuit.tests:
        if interpretive(v.note):
            add("the test as a whole", _plain_note(v.note), v.start)
        for e in v.elements:
            if interpretive(e.note):
                add(e.label, _plain_note(e.note), v.start)
    for v in circuit.special_relationship:
        for e in v.elements:
            if interpretive(e.note):
                add(f"custody: {e.label}", _plain_note(e.note), v.start)
    for r in circuit.culpability:
        if r.note and "interpretive" in r.note.lower():
            add("the culpability scale", student_note(r.note), r.start)
    return [(f"{where} (from {', '.join(dates)})", note) for (where, note), dates in found.items()]


def circuit_card(circuit: str, on: str | date | None = None) -> Card:
    """One circuit's test card: recognition dates, the test on `on` (default today) beside the other
    circuits', its leading cases, and where the workbook reads between the lines."""
    c = _circuit(circuit)
    day = _day(on)
    parts = [_STYLE, f'<div class="dw-card" data-circuit="{c.id}"><h3>{_e(c.name)}: state-created danger</h3>']
    parts.append(f"<p>{_e(c.summary)}</p>")
    rec = recognition(c)
    if rec:
        items = "".join(f"<li>{d.isoformat()}: {'recognised the theory' if r else 'does not recognise the theory'}"
                        f" - {_e(a)}</li>" for d, r, a in rec)
    else:
        items = "<li>Has never recognised the theory.</li>"
    parts.append(f"<h4>Recognition</h4><ul>{items}</ul>")
    version = danger_test(c, day)
    if version is None:
        parts.append(f"<h4>The test on {day.isoformat()}</h4><p>No test had been stated on this date.</p>")
    else:
        note = "" if c.recognizes(day) else (" <b>The circuit does not recognise the theory on this date;</b> "
                                             "this is the test it has discussed, used only where a court assumes it.")
        lis = []
        for e in version.elements:
            quote = f' - "{_e(e.quote)}"' if e.quote else ""
            mark = ' <span class="dw-interp">(our reading: see below)</span>' if interpretive(e.note) else ""
            lis.append(f'<li data-element="{_e(e.id)}">{_e(e.label)}{mark} - <i>{_e(_cite(e.authority))}</i>{quote}</li>')
        parts.append(f"<h4>The test on {day.isoformat()} (stated from {version.start.isoformat()}, "
                     f"{_e(_cite(version.authority))})</h4>{note}<ol>{''.join(lis)}</ol>")
        later = [v for v in c.tests if v.start > day]
        if later:
            parts.append("<p>Later restatements: " + "; ".join(
                f"{v.start.isoformat()} ({_e(_case_name(v.authority))})" for v in later) + ".</p>")
    parts.append("<h4>Beside the other circuits</h4>" + _side_by_side_html(day, here=c.id))
    cases = _cases(c)
    if cases:
        lis = []
        for ci in cases:
            p = law().precedents[ci.case]
            undone = f", {later_history(p)}" if p.dead_events() else ""  # the case menu's words for it
            lis.append(f"<li>{_e(p.cite())}{_e(undone)} - {_e(VERIFIED.get(p.verification, p.verification))}</li>")
        parts.append(f"<h4>Leading cases</h4><ul>{''.join(lis)}</ul>")
    notes = between_the_lines(c)
    if notes:
        lis = "".join(f'<li><b>{_e(w)}</b>: <span class="dw-interp">{_e(n)}</span></li>' for w, n in notes)
        parts.append("<h4>Where the workbook reads between the lines</h4><p>These are the workbook's own "
                     f"readings, not holdings. Argue with them.</p><ul>{lis}</ul>")
    parts.append("</div>")
    return Card("".join(parts))


def test_cards(on: str | date | None = None) -> Card:
    """Every circuit's test, piece by piece, side by side, as it stood on `on` (default today),
    with each circuit's recognition dates."""
    day = _day(on)
    rec = []
    for cid in CIRCUITS:
        c = law().circuits[cid]
        dates = "; ".join(f"{d.isoformat()} {'in' if r else 'out'}" for d, r, _ in recognition(c)) or "never"
        rec.append(f'<li data-circuit="{cid}"><b>{_e(c.name)}</b>: {_e(dates)}</li>')
    return Card(_STYLE + '<div class="dw-card"><h3>State-created danger: twelve tests side by side</h3>'
                f"<p>Each column is one circuit's test on {day.isoformat()}; each row one piece of the test. "
                "Run <code>circuit_card(\"ca3\")</code> for one circuit's card.</p>"
                + _side_by_side_html(day) + f"<h4>Recognition dates</h4><ul>{''.join(rec)}</ul></div>")


test_cards.__test__ = False  # a public name, not a pytest test
