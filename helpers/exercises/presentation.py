"""Presentation helpers: the facts in plain English, a case note, a hypothetical's card, and
feedback text as HTML.

ipywidgets and `rendering` (which loads plotly) are imported inside the functions that draw, so
importing the package (for grading or `check-lessons`) stays free of UI imports."""
from __future__ import annotations

import html

from ..facts import Facts, parse_facts
from ..law import law
from .bank import load_hypotheticals


def describe_facts(facts: Facts, *, show_circuit: bool = True, conduct_known: bool = True) -> list[str]:
    """The facts in plain English: forum and dates, every fact not at its default, then the rest."""
    from ..rendering import facts_lines  # UI: rendering loads plotly; imported only when drawing

    return facts_lines(facts, show_circuit=show_circuit, conduct_known=conduct_known, list_defaults=True)


def html_lines(message: str) -> str:
    parts, bullets = [], []
    for line in message.split("\n"):
        if line.startswith("- "):
            bullets.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if bullets:
            parts.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        parts.append(f"<p>{html.escape(line)}</p>")
    if bullets:
        parts.append("<ul>" + "".join(bullets) + "</ul>")
    return "".join(parts)


def case_note(precedent_id: str, opinion: str | None = None):
    """A short card for a case: citation, our summary, the rule, and its quotation if any."""
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    from ..rendering import student_text  # UI (plotly); notes for the data's maintainers never reach a student

    p = law().precedents[precedent_id]
    bits = [f"<p><b>{html.escape(p.cite())}</b></p>"]
    if opinion:
        op = next(o for o in p.opinions if o.id == opinion)
        bits.append(f"<p><i>{html.escape(student_text(op.author))}</i></p>")
        if op.note and student_text(op.note):
            bits.append(f"<p>{html.escape(student_text(op.note))}</p>")
    if p.summary and student_text(p.summary):
        bits.append(f"<p>{html.escape(student_text(p.summary))}</p>")
    if p.rule and student_text(p.rule):
        bits.append(f"<p><b>Rule.</b> {html.escape(student_text(p.rule))}</p>")
    if p.quote:
        pin = f" (at {p.quote_pin})" if p.quote_pin else ""
        bits.append(f"<p>&ldquo;{html.escape(p.quote)}&rdquo;{html.escape(pin)}</p>")
    note = widgets.HTML("<div class='deshaney-case-note'>" + "".join(bits) + "</div>")
    note.add_class("deshaney-case-note")
    return note


def hypothetical_card(hypothetical_id: str, lesson: str = "07_capstone"):
    """The story of a capstone hypothetical, with its discussion questions."""
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    h = load_hypotheticals(lesson)[hypothetical_id]
    facts = parse_facts(h.facts)
    questions = "".join(f"<li>{html.escape(q)}</li>" for q in h.questions)
    body = (f"<h4>{html.escape(h.title)}</h4><p>{html.escape(h.story)}</p>"
            f"<details><summary>The facts as the fact panel sees them</summary><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in describe_facts(facts)) + "</ul></details>"
            + (f"<p><b>Think about:</b></p><ol>{questions}</ol>" if questions else ""))
    card = widgets.HTML(body)
    card.add_class("deshaney-hypothetical")
    return card
