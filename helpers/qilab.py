"""The qualified-immunity lab: the law on the conduct date, and the argument from precedent.

    >>> from helpers.qilab import qi_lab
    >>> lab = qi_lab()                      # Kennedy's facts, the majority's options
    >>> lab.set(conduct_date="1989-06-26")  # the day before Wood v. Ostrander
    >>> lab.pick("wood_v_ostrander_1989")   # would Wood show the right was clearly established?

Prong one (a violation?) is judged by the law on the decision date, prong two (clearly
established?) by the law on the conduct date; the lab shows them apart, for the chosen
circuit and for all twelve, on a timeline of each circuit's cases.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from html import escape
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go

from . import rendering
from .cases import cases, find_case
from .engine import Comparison
from .facts import CIRCUIT_NAMES, CIRCUITS, FactError, Facts, parse_facts, vocabulary
from .immunity import generality_for, method_for, on_point
from .law import caption, later_history, law
from .widgets import (DATE_HINT, UNKNOWN_PLACEHOLDER, CaseMenu, Held, StaleMarks, box_message_html, box_messages,
                      cached_compare, changed_control, parse_initial, plain_problem, problems_by_box)

#: The lab's layout (helpers/static/labs.css), sent with the lab as a style element.
LAB_CSS = "<style>" + (Path(__file__).resolve().parent / "static" / "labs.css").read_text(encoding="utf-8") + "</style>"



def style_widgets(*css: str) -> list[widgets.HTML]:
    """Widgets that carry only style elements: hidden (`deshaney-style`), so they take no room."""
    out = []
    for text in css:
        w = widgets.HTML(text)
        w.add_class("deshaney-style")
        out.append(w)
    return out


DEFAULT_CASE = "kennedy_v_ridgefield_2006"
GENERALITY = (("What the law then required", "default"), ("General: the theory was recognised", "general"),
              ("Particularized: a case on point", "particularized"))
PICK_NONE = ""
FIRST_YEAR = 1975


def precedent_options(forum: str) -> list[tuple[str, str]]:
    """Cases a student might cite, the forum's own first, then the Supreme Court, then the rest."""
    L = law()
    rank = {cid: i + 2 for i, cid in enumerate(CIRCUITS)}
    rank.update({forum: 0, "scotus": 1})
    found = sorted((p for p in L.precedents.values() if p.facts_raw is not None),
                   key=lambda p: (rank[p.court], p.decided, p.id))
    return [("(pick the earlier case you would cite)", PICK_NONE)] + [  # a case later undone says so
        (caption(p) + (f" - {later_history(p)}" if p.dead_events() else ""), p.id) for p in found]


def order_html(facts: Facts, violation: bool, established: bool) -> str:
    """Which order the two prongs must be taken in on the decision date, and what it does here."""
    order, case = rendering.order_rule(law(), facts.decision_date)
    name = law().precedents[case].cite() if case else ""
    if order == "mandatory":
        rule = f"<b>Saucier's order</b> ({escape(name)}): the court must decide prong one first."
        if violation and not established:
            effect = ("It must say this was a violation before it grants immunity: this official goes free, "
                      "but the ruling puts the next official on notice.")
        elif not violation:
            effect = "Prong one ends the case: there was no violation, so there is nothing to clearly establish."
        else:
            effect = "Both prongs are decided, and immunity is denied."
    elif order == "discretionary":
        rule = f"<b>Pearson's discretion</b> ({escape(name)}): the court may take the prongs in either order."
        if not established:
            effect = ("It may grant immunity on prong two alone and never say whether this was a violation. "
                      "If every court does that, the right is never clearly established for the next case: "
                      "the law stops growing.")
        else:
            effect = "To deny immunity it must still decide both prongs."
    else:
        rule = ("<b>No rule of order yet</b>: on this decision date the Supreme Court had not yet made "
                "the order mandatory (Saucier v. Katz came in 2001).")
        effect = "Courts chose for themselves which prong to take up first."
    return f'<div class="dsh-order" data-order="{order}">{rule} {effect}</div>'


def generality_html(facts: Facts) -> str:
    L = law()
    m = method_for(L, L.circuits.get(facts.circuit) if facts.circuit else None, facts)
    level = m.level
    if facts.generality == "default":
        case = m.authority.case if m.authority else None
        source = f"what the law on the decision date calls for ({escape(L.precedents[case].short_name)})" if case else ""
        if m.note and "nterpretive" in m.note:
            source += " &mdash; the date of the switch is the workbook's own reading"
    else:
        source = "chosen in the options"
    words = {"general": "general: the theory was recognised and these facts meet it",
             "particularized": "particularized: an earlier case on point held like conduct unlawful"}[level]
    return f'<div data-generality="{level}">Level of generality: <b>{words}</b> &mdash; {source}.</div>'


def result_html(facts: Facts, comparison: Comparison, conduct_known: bool = True) -> str:
    """The chosen circuit's answer with the two prongs apart, and what prong two rests on.
    `conduct_known=False`: the case's conduct date is not in the data; the decision date stands in."""
    L = law()
    forum = facts.circuit
    a = comparison[forum]
    cells = {f: (cls, text, title) for f, cls, text, title in rendering.outcome_cells(a)}
    basis = a.clearly_established_basis
    v_cls, v_text, v_title = cells["violation"]
    c_cls, c_text, c_title = cells["clearly_established"]
    q_cls, q_text, _ = cells["qualified_immunity"]
    conduct = (a.conduct_date if conduct_known else
               f'<span data-conduct="unknown">unknown: the decision date, {a.decision_date}, stands in</span>')
    return (
        f'<div class="dsh-card" data-circuit="{forum}"><h4>{CIRCUIT_NAMES[forum]}</h4><div class="dsh-prongs">'
        f'<div data-field="violation"><b>Prong one</b>: was there a violation? '
        f'<span class="dsh-muted">(law on the decision date, {a.decision_date})</span><br>'
        f'<span class="{v_cls}"><b>{v_text}</b></span><br>{escape(v_title)}<br>'
        f'<span class="dsh-muted">Test in force: {escape(a.test_in_force)}</span></div>'
        f'<div data-field="clearly_established"><b>Prong two</b>: was the right clearly established? '
        f'<span class="dsh-muted">(law on the conduct date, {conduct})</span><br>'
        f'<span class="{c_cls}"><b>{c_text}</b></span> <span class="dsh-muted">({basis.route.replace("_", " ")})'
        f'</span><br>{escape(c_title)}<br>{rendering.basis_html(basis, L)}</div></div>'
        f'<p data-field="qualified_immunity" class="{q_cls}"><b>Qualified immunity: {q_text}</b> '
        f'<span class="dsh-muted">(denied only if both prongs are answered yes)</span></p>'
        f'{generality_html(facts)}{order_html(facts, a.violation, a.clearly_established)}</div>'
    )


def facts_summary_html(facts: Facts) -> str:
    vocab = vocabulary()
    shown = [f for f in vocab if f not in {"circuit", "conduct_date", "decision_date", "generality", "assume_recognized"}]
    items = "; ".join(f"{vocab[f].label.lower()}: <b>{escape(vocab[f].label_of(getattr(facts, f)))}</b>" for f in shown)
    return f'<div class="dsh-muted deshaney-qi-facts">The facts: {items}.</div>'


class QILab(CaseMenu, Held, widgets.VBox):
    """Conduct date, generality and order; the prongs apart; and the case a student would cite."""

    def __init__(self, facts: Facts, presentation: bool = False):
        if facts.circuit is None:
            facts = facts.with_(circuit="ca9")
        self._facts = facts
        self._opening: tuple[str | None, Facts] = (None, facts)  # what reset() returns to: a case, or facts
        self._holding = False
        self._reordering = False
        self._pending: Facts | None = None
        self.updates = 0
        self.circuit = widgets.Dropdown(options=[(CIRCUIT_NAMES[c], c) for c in CIRCUITS], value=facts.circuit,
                                        description="Circuit:", style={"description_width": "initial"})
        self.circuit.add_class("deshaney-qi-circuit")
        self.conduct_date = widgets.Text(value=facts.conduct_date.isoformat(), description="Conduct date:",
                                         placeholder="YYYY-MM-DD", continuous_update=False,
                                         style={"description_width": "initial"})
        self.conduct_date.add_class("deshaney-conduct-date")
        self.conduct_year = widgets.IntSlider(value=facts.conduct_date.year, min=FIRST_YEAR, max=date.today().year,
                                              description="Move the conduct year:", continuous_update=False,
                                              style={"description_width": "initial"},
                                              layout=widgets.Layout(width="min(640px, 95%)"))
        self.conduct_year.add_class("deshaney-conduct-year")
        self.decision_date = widgets.Text(value=facts.decision_date.isoformat(), description="Decision date:",
                                          placeholder="YYYY-MM-DD", continuous_update=False,
                                          style={"description_width": "initial"})
        self.decision_date.add_class("deshaney-decision-date")
        self.generality = widgets.ToggleButtons(options=GENERALITY, value=facts.generality,
                                                description="Level of generality:",
                                                style={"description_width": "initial", "button_width": "auto"})
        self.generality.add_class("deshaney-generality")
        # width auto: at the default width ipywidgets cuts a checkbox's label short with an ellipsis
        self.assume_recognized = widgets.Checkbox(value=facts.assume_recognized, indent=False,
                                                  description="Assume the circuit recognises state-created danger",
                                                  layout=widgets.Layout(width="auto"))
        self.assume_recognized.add_class("deshaney-assume-recognized")
        self.case_menu = widgets.Dropdown(
            options=[("(choose a real case to load its facts)", "")] + [(c.label, c.id) for c in cases()],
            value="", description="Load a real case:", style={"description_width": "initial"},
            layout=widgets.Layout(width="min(720px, 95%)"))
        self.case_menu.add_class("deshaney-qi-case-menu")
        self.conduct_unknown = False
        self.case_notice = widgets.HTML("")
        self.case_notice.add_class("deshaney-case-notice")
        self.controls = {"circuit": self.circuit, "conduct_date": self.conduct_date,
                         "decision_date": self.decision_date, "generality": self.generality,
                         "assume_recognized": self.assume_recognized}
        self.message = widgets.HTML("")
        self.message.add_class("deshaney-qi-message")
        #: A message under each date box, for the problems that box caused.
        self.box_messages = box_messages(["conduct_date", "decision_date"])
        for fid in self.box_messages:
            self.controls[fid].tooltip = DATE_HINT
        self.facts_line = widgets.HTML()
        self.result = widgets.HTML()
        self.result.add_class("deshaney-qi-result")
        self.all_circuits = widgets.HTML()
        self.all_circuits.add_class("deshaney-qi-all")
        self.figure = go.FigureWidget(rendering.timeline_figure(law(), facts.conduct_date, facts.decision_date,
                                                                facts.circuit, presentation))
        timeline = widgets.Box([self.figure])
        timeline.add_class("deshaney-timeline")
        self.timeline = timeline
        self.precedent_pick = widgets.Dropdown(options=precedent_options(facts.circuit), value=PICK_NONE,
                                               description="The case you would cite:",
                                               style={"description_width": "initial"},
                                               layout=widgets.Layout(width="min(720px, 95%)"))
        self.precedent_pick.add_class("deshaney-precedent-pick")
        self.on_point_panel = widgets.HTML()
        self.on_point_panel.add_class("deshaney-on-point")
        self.stale = StaleMarks([self.facts_line, self.result, timeline, self.on_point_panel, self.all_circuits])
        # The stage: the controls beside the result, so the year slider and its answer share a screen
        # (helpers/static/labs.css); the case's other facts, the timeline and the rest below.
        controls = widgets.VBox([
            self.case_menu, self.case_notice,
            widgets.HBox([self.circuit, widgets.VBox([self.conduct_date, self.box_messages["conduct_date"]]),
                          widgets.VBox([self.decision_date, self.box_messages["decision_date"]])],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.conduct_year, self.generality, self.assume_recognized, self.message])
        controls.add_class("deshaney-qi-controls")
        answer = widgets.VBox([self.stale.banner, self.result])
        answer.add_class("deshaney-qi-answer")
        stage = widgets.Box([controls, answer])
        stage.add_class("deshaney-qi-stage")
        super().__init__([
            *style_widgets(rendering.CSS, LAB_CSS),
            widgets.HTML("<h3 style='margin:4px 0'>The qualified-immunity lab</h3>"),
            stage, self.facts_line, timeline,
            widgets.HTML("<h4>The argument: which earlier case shows the right was clearly established?</h4>"),
            self.precedent_pick, self.on_point_panel,
            widgets.HTML("<h4>Both prongs in every circuit</h4>"), self.all_circuits,
        ])
        self._add_spar()
        self.add_class("deshaney-qi-lab")
        if presentation:
            self.add_class("deshaney-presentation")
        rendering.register_display()
        self._render(first=True)
        for w in self.controls.values():
            w.observe(self._changed, names="value")
        self.conduct_year.observe(self._year_moved, names="value")
        self.precedent_pick.observe(self._picked, names="value")
        self.case_menu.observe(self._case_chosen, names="value")

    # --- state -------------------------------------------------------------------------------

    @property
    def facts(self) -> Facts:
        return self._facts

    @property
    def standing_in(self) -> bool:
        """True while the decision date stands in for a conduct date the data does not have."""
        return self.conduct_unknown and not self.conduct_date.value.strip()

    def _write(self, facts: Facts) -> None:
        self.circuit.value = facts.circuit
        self.conduct_date.placeholder = UNKNOWN_PLACEHOLDER if self.conduct_unknown else "YYYY-MM-DD"
        self.conduct_date.value = "" if self.conduct_unknown else facts.conduct_date.isoformat()
        self.conduct_year.value = min(max(facts.conduct_date.year, FIRST_YEAR), self.conduct_year.max)
        self.decision_date.value = facts.decision_date.isoformat()
        self.generality.value = facts.generality
        self.assume_recognized.value = facts.assume_recognized

    def set(self, **changes: Any) -> Facts:
        """Change any fact or option (conduct_date="1989-06-26", generality="particularized", custody=...)."""
        raw = self._facts.to_dict()
        raw.update(changes)
        checked = parse_facts(raw, need_circuit=True)
        if "conduct_date" in changes:
            self.conduct_unknown = False
        with self.hold():
            self._pending = checked
            self._write(checked)
        return self._facts

    def load_case(self, label_or_id: str) -> Facts:
        """A real case's facts and its opinion's options (the forum stays the case's court). Where the
        data has no conduct date, the date box is left empty and the decision date stands in."""
        case = find_case(label_or_id)
        was = self.conduct_unknown
        self.conduct_unknown = not case.conduct_known
        with self.hold():
            self._pending = case.facts
            self._write(case.facts)
        if was != self.conduct_unknown and self._facts == case.facts:
            self._render()  # same facts, but the date is now shown differently
        self._show_case(case.id)
        return self._facts

    def pick(self, precedent_id: str | None) -> str:
        """Cite an earlier case; returns the on-point panel's HTML (shown as HTML, not as a quoted
        string, when left at the end of a notebook cell)."""
        self.precedent_pick.value = precedent_id or PICK_NONE
        return rendering.PanelHTML(self.on_point_panel.value)

    def _picked(self, change) -> None:
        if not self._reordering:
            self._render_on_point()

    def _year_moved(self, change) -> None:
        if self._holding:
            return
        old = self._facts.conduct_date
        day = 28 if (old.month, old.day) == (2, 29) else old.day
        self.conduct_date.value = date(change["new"], old.month, day).isoformat()

    def _read(self) -> dict:
        raw = {k: (w.value.strip() if isinstance(w.value, str) and k.endswith("_date") else w.value)
               for k, w in self.controls.items()}
        base = (self._pending or self._facts).to_dict()
        base.update(raw)
        if self.conduct_unknown and not base.get("conduct_date"):
            base["conduct_date"] = base["decision_date"]
        return base

    def _show_problems(self, problems: list[str], cause: str | None) -> None:
        """Each problem beside the date box that caused it (the rest under the controls); the answers
        marked stale until the input is valid."""
        placed = problems_by_box(problems, self.box_messages, cause)
        for fid, w in self.box_messages.items():
            w.value = box_message_html(placed.get(fid, []))
        self.message.value = "".join(f'<div class="dsh-error">{escape(plain_problem(p))}</div>'
                                     for p in placed.get(None, []))
        self.stale.mark(problems, self._facts)

    @property
    def problems_shown(self) -> str:
        """Every message the lab shows, beside its box or under the controls ('' when all is valid)."""
        return "".join(w.value for w in self.box_messages.values()) + self.message.value

    def _changed(self, change=None) -> None:
        if self._holding:
            return
        cause = changed_control(self.controls, change)
        try:
            facts = parse_facts(self._read(), need_circuit=True)
        except FactError as exc:
            self._show_problems(list(exc.problems), cause)
            return
        finally:
            self._pending = None
        self._show_problems([], cause)
        if facts == self._facts:
            return
        forum_moved = facts.circuit != self._facts.circuit
        self._facts = facts
        if facts.conduct_date.year != self.conduct_year.value and FIRST_YEAR <= facts.conduct_date.year:
            self._holding = True
            try:
                self.conduct_year.value = min(facts.conduct_date.year, self.conduct_year.max)
            finally:
                self._holding = False
        if forum_moved:  # the forum's own cases first; the pick survives, redrawn once below
            picked, self._reordering = self.precedent_pick.value, True
            try:
                self.precedent_pick.options = precedent_options(facts.circuit)
                self.precedent_pick.value = picked
            finally:
                self._reordering = False
        self._render()

    # --- drawing ---------------------------------------------------------------------------

    def _render(self, first: bool = False) -> None:
        f = self._facts
        comparison = cached_compare(f)
        known = not self.standing_in
        if self.case_menu.value and find_case(self.case_menu.value).facts != f:
            self._show_case("")  # the student's own facts now; choosing the case again reloads it
        self.case_notice.value = ("" if known else
                                  f'<p class="dsh-muted" data-conduct="unknown">The date of the conduct is not in '
                                  f"the workbook's data for this case, so it is shown as unknown; the decision "
                                  f"date ({f.decision_date.isoformat()}) stands in for it. Type the real date, or "
                                  "move the conduct year, to see prong two on another day.</p>")
        self.facts_line.value = facts_summary_html(f)
        self.result.value = result_html(f, comparison, conduct_known=known)
        self.all_circuits.value = rendering.prongs_rows(comparison, law(), f.circuit)
        if not first:
            with self.figure.batch_update():
                self.figure.layout.shapes = rendering.timeline_shapes(f.conduct_date, f.decision_date, f.circuit)
                self.figure.layout.annotations = rendering.timeline_annotations(f.conduct_date, f.decision_date, known)
        self._render_on_point()
        self._render_spar()
        self.updates += 1

    def _render_on_point(self) -> None:
        pid = self.precedent_pick.value
        if not pid:
            self.on_point_panel.value = ('<p class="dsh-muted">Pick the earlier case you would cite to show the '
                                         'right was clearly established; the lab checks it the way the other side '
                                         'would.</p>')
            return
        L = law()
        op = on_point(L, L.circuits[self._facts.circuit], L.precedents[pid], self._facts)
        note = ""
        if generality_for(L, self._facts) == "general":
            note = ('<p class="dsh-muted" data-generality="general">At the general level a case on point is not '
                    'needed: it is enough that the circuit had recognised the theory and these facts meet its test. '
                    'The checks below are what the particularized level demands.</p>')
        self.on_point_panel.value = note + rendering.on_point_html(op, L, self._facts.circuit)

    # --- spar: the workbook plays the defence (ungraded) ----------------------------------------

    def _add_spar(self) -> None:
        self.spar_toggle = widgets.Checkbox(value=False, indent=False,
                                            description="Spar: let the workbook argue the defence's side",
                                            layout=widgets.Layout(width="auto"))
        self.spar_toggle.add_class("deshaney-spar-toggle")
        self.spar_panel = widgets.HTML("")
        self.spar_panel.add_class("deshaney-spar")
        at = list(self.children).index(self.on_point_panel) + 1
        self.children = (*self.children[:at], self.spar_toggle, self.spar_panel, *self.children[at:])
        self.spar_toggle.observe(lambda _: self._render_spar(), names="value")
        self.precedent_pick.observe(lambda _: self._render_spar(), names="value")

    def _render_spar(self) -> None:
        from .exercises.argue import spar

        pid = self.precedent_pick.value
        if not self.spar_toggle.value:
            self.spar_panel.value = ""
            return
        if not pid:
            self.spar_panel.value = '<p class="dsh-muted">Cite a case above; the defence answers.</p>'
            return
        lines = spar(self._facts, pid)
        self.spar_panel.value = ("<div class='deshaney-spar-lines'><p><b>The defence answers</b> (ungraded; the same "
                                 "comparison the engine makes):</p><ul>"
                                 + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul></div>")

    def reset(self) -> Facts:
        """Back to the state the lab opened in (its case or facts, no case cited, Spar off), so a cell
        that tries something on the lab leaves it as the lesson's text describes it."""
        case_id, facts = self._opening
        self.spar_toggle.value = False
        self.precedent_pick.value = PICK_NONE
        if case_id:
            return self.load_case(case_id)
        self.conduct_unknown = False
        with self.hold():
            self._pending = facts
            self._write(facts)
        return self._facts

    def spar(self, precedent_id: str | None = None) -> str:
        """Spar mode: cite a case (or keep the one picked); the workbook plays the defence."""
        self.spar_toggle.value = True
        if precedent_id is not None:
            self.precedent_pick.value = precedent_id
        self._render_spar()
        return rendering.PanelHTML(self.spar_panel.value)


def qi_lab(case: str | None = None, facts: dict | None = None, presentation: bool = False) -> QILab:
    """The qualified-immunity lab; by default Kennedy's facts with the majority's options."""
    start, case_id = parse_initial(case or (None if facts else DEFAULT_CASE), facts)
    lab = QILab(start, presentation)
    if case_id and not facts:
        lab._opening = (case_id, lab.facts)
        lab.load_case(case_id)  # the menu shows the case, and an unknown conduct date shows as unknown
    return lab
