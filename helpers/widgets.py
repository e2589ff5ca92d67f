"""The fact panel and the circuit lab: move a fact, watch all twelve circuits answer.

    >>> from helpers.widgets import circuit_lab
    >>> lab = circuit_lab(case="kennedy_v_ridgefield_2006")
    >>> lab.set(custody="prison")          # as a student would, by moving a control

One element chart per lab, built once and recoloured in place; a fact change costs one
`compare`, one (cached) `flips` and a few HTML strings. Loading a case sets every control
under a hold, so the outputs redraw once.
"""
from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

import ipywidgets as widgets

from . import projector as projector_view
from . import rendering
from .cases import cases, find_case
from .engine import Comparison, Flip, compare, evaluate, flips
from .facts import CIRCUIT_NAMES, CIRCUITS, FactError, Facts, FactSpec, groups, parse_facts, vocabulary
from .law import law
from .memos import remember
from .tablewidget import CircuitTable, ElementChart

#: The facts a lab starts from when given no case: nothing but the dates.
BLANK = {"conduct_date": "1998-09-24", "decision_date": "2006-03-07"}
#: What an empty conduct-date box says when a case's conduct date is not in the data.
UNKNOWN_PLACEHOLDER = "unknown (decision date stands in)"
#: The facts project mode shows (the rest are one click away, "All facts"): the ones lesson 05's "Things
#: to try" has the class move (the effect on the danger, what the officer knew and his state of mind,
#: custody; causation is left to "All facts"), the two dates its guide's class hour moves (the decision
#: date fixes the law for prong one, the conduct date for prong two), and two more pieces of the
#: state-created-danger test on its cards (the act, who was endangered).
PROJECT_FACTS = ("conduct_date", "decision_date", "custody", "act_kind", "danger_effect", "victim_scope",
                 "awareness", "culpability")
#: Project mode: "auto" (on when the lab is narrower than `Projector.compact_below`), "on", "off".
PROJECT_MODES = projector_view.PROJECT_MODES


@remember  # keyed by the whole fact pattern (dates, forum, options, readings): never stale
@lru_cache(maxsize=512)
def cached_compare(facts: Facts) -> Comparison:
    return compare(facts)


@remember
@lru_cache(maxsize=512)
def cached_flips(facts: Facts) -> dict[str, list[Flip]]:
    return flips(facts)


def _flips_for(facts: Facts) -> dict[str, list[Flip]]:
    # Flips do not depend on the forum: key on the facts without it, so choosing a circuit is free.
    return cached_flips(facts.with_(circuit=None))


# --- one control per fact -------------------------------------------------------------------

def _label_html(spec: FactSpec) -> widgets.HTML:
    # Text from data/facts.yaml is text: escaped like every other string shown as HTML.
    return widgets.HTML(f'<b title="{rendering.attr(spec.help)}">{rendering.escape(spec.label)}</b> '
                        f'<span class="dsh-help">{rendering.escape(spec.help)}</span>')


def control_for(spec: FactSpec) -> widgets.ValueWidget:
    """The widget for one fact: a dropdown of plain-English values, a checkbox, or an ISO date box."""
    layout = widgets.Layout(width="auto")
    if spec.kind == "circuit":
        options = [("(no forum: compare all twelve)", "")] + [(CIRCUIT_NAMES[c], c) for c in CIRCUITS]
        w = widgets.Dropdown(options=options, value="", layout=layout)
    elif spec.kind == "date":
        w = widgets.Text(placeholder="YYYY-MM-DD", continuous_update=False, layout=widgets.Layout(width="12em"))
        w.tooltip = f"{spec.help} {DATE_HINT}"
    elif spec.kind == "flag":
        w = widgets.Checkbox(value=bool(spec.default), indent=False, description=spec.label_of(True),
                             layout=layout)
    else:
        w = widgets.Dropdown(options=[(spec.label_of(v), v) for v in spec.values], value=spec.default or spec.values[0],
                             layout=layout)
    w.tooltip = w.tooltip or spec.help
    w.add_class(f"deshaney-fact-{spec.id}")
    return w


def widget_value(spec: FactSpec, value: Any) -> Any:
    """A fact's value as its control holds it (dates as ISO text, no forum as '')."""
    if spec.kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if spec.kind == "circuit":
        return value or ""
    return value


class Held:
    """Controls set together redraw once: observers return early while `_holding`."""

    _holding = False

    def _changed(self, change=None) -> None:
        raise NotImplementedError

    @contextmanager
    def hold(self):
        """Set many controls; the outputs redraw once, when the hold ends."""
        was, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = was
        if not was:
            self._changed()


class FactPanel(Held, widgets.VBox):
    """Every fact of the contract, grouped as data/facts.yaml groups them, plus the analysis options.

    `on_facts(callback)` is called with a checked `Facts` once per real change; a bad entry shows
    a message naming the field and leaves the last good facts in place.
    """

    def __init__(self, facts: Facts, presentation: bool = False):
        vocab = vocabulary()
        self.controls: dict[str, widgets.ValueWidget] = {fid: control_for(spec) for fid, spec in vocab.items()}
        self.message = widgets.HTML("")
        self.message.add_class("deshaney-fact-message")
        #: A message under each date box, for the problems that box caused.
        self.box_messages = box_messages(fid for fid, spec in vocab.items() if spec.kind == "date")
        self._facts = facts
        self._holding = False
        self._callbacks: list = []
        self._problem_callbacks: list = []
        self.conduct_unknown = False  # a loaded case with no conduct date: the box stays empty
        #: Each fact's label, control and message together (project mode shows the picked ones).
        self.rows: dict[str, widgets.VBox] = {}
        self.picked: tuple[str, ...] = ()
        columns = []
        for gid, glabel in groups():
            items = [widgets.HTML(f"<h4 style='margin:6px 0'>{rendering.escape(glabel)}</h4>")]
            for fid, spec in vocab.items():
                if spec.group == gid:
                    row = widgets.VBox([_label_html(spec), self.controls[fid],
                                        *([self.box_messages[fid]] if fid in self.box_messages else [])],
                                       layout=widgets.Layout(margin="0 0 6px 0"))
                    row.add_class("deshaney-fact-row")
                    row.add_class(f"deshaney-fact-kind-{spec.kind}")  # CSS lays a yes/no fact out on one line
                    self.rows[fid] = row
                    items.append(row)
            columns.append(widgets.VBox(items, layout=widgets.Layout(padding="0 8px")))
        for col in columns:
            col.add_class("deshaney-fact-group")
        grid = widgets.Box(columns)
        grid.add_class("deshaney-fact-grid")  # CSS columns: groups flow like a newspaper, no gaps
        super().__init__([grid, self.message])
        self.add_class("deshaney-fact-panel")
        self._write(facts)
        self.pick(PROJECT_FACTS)
        for w in self.controls.values():
            w.observe(self._changed, names="value")

    def pick(self, facts: Any) -> tuple[str, ...]:
        """The facts project mode shows (class `dsh-picked` on their rows); the others are hidden
        there until "All facts" is pressed. Unknown ids raise FactError, naming them and the facts."""
        self.picked = picked_facts(facts)
        for fid, row in self.rows.items():
            (row.add_class if fid in self.picked else row.remove_class)("dsh-picked")
        return self.picked

    @property
    def facts(self) -> Facts:
        return self._facts

    def on_facts(self, callback) -> None:
        self._callbacks.append(callback)

    def on_problems(self, callback) -> None:
        """`callback(problems)` after every check: the problems, or [] once the input is valid."""
        self._problem_callbacks.append(callback)

    @property
    def problems_shown(self) -> str:
        """Every message the panel shows, beside its box or under the panel."""
        return "".join(w.value for w in self.box_messages.values()) + self.message.value

    def _write(self, facts: Facts) -> None:
        vocab = vocabulary()
        for fid, w in self.controls.items():
            w.value = widget_value(vocab[fid], getattr(facts, fid))
        conduct = self.controls["conduct_date"]
        conduct.placeholder = UNKNOWN_PLACEHOLDER if self.conduct_unknown else "YYYY-MM-DD"
        if self.conduct_unknown:
            conduct.value = ""

    @property
    def standing_in(self) -> bool:
        """True while the decision date stands in for a conduct date the data does not have."""
        return self.conduct_unknown and not self.controls["conduct_date"].value.strip()

    def read(self) -> dict:
        vocab = vocabulary()
        raw = {}
        for fid, w in self.controls.items():
            value = w.value
            if vocab[fid].kind == "circuit" and value == "":
                continue
            if vocab[fid].kind == "date":
                value = value.strip()
            raw[fid] = value
        if self.conduct_unknown and not raw.get("conduct_date"):
            raw["conduct_date"] = raw.get("decision_date", "")
        return raw

    def check(self, raw: dict, cause: str | None = None) -> Facts | None:
        """The facts, or None with the problems shown in plain English: a date's beside the date box
        that caused it (`cause`: the control just changed), the rest under the panel."""
        try:
            facts = parse_facts(raw)
            problems: list[str] = []
        except FactError as exc:
            facts, problems = None, list(exc.problems)
        placed = problems_by_box(problems, self.box_messages, cause)
        for fid, w in self.box_messages.items():
            w.value = box_message_html(placed.get(fid, []))
        self.message.value = "".join(f'<div class="dsh-error">{rendering.escape(plain_problem(p))}</div>'
                                     for p in placed.get(None, []))
        for cb in self._problem_callbacks:
            cb(problems)
        return facts

    def _changed(self, change=None) -> None:
        if self._holding:
            return
        facts = self.check(self.read(), changed_control(self.controls, change))
        if facts is None or facts == self._facts:
            return
        self._facts = facts
        for cb in self._callbacks:
            cb(facts)

    def set(self, **changes: Any) -> Facts:
        """Change facts as a student would; unknown fields or values raise FactError before any control moves."""
        raw = self._facts.to_dict()
        raw.update(changes)
        if raw.get("circuit") in ("", None):
            raw.pop("circuit", None)
        checked = parse_facts(raw)
        if "conduct_date" in changes:
            self.conduct_unknown = False
        with self.hold():
            self._write(checked)
        return self._facts

    def replace(self, facts: Facts, conduct_known: bool = True) -> None:
        """Show these facts; with `conduct_known=False` the conduct date box is left empty (unknown)
        and the decision date stands in for it until the student types one."""
        self.conduct_unknown = not conduct_known
        with self.hold():
            self._write(facts)


def picked_facts(facts: Any) -> tuple[str, ...]:
    """A professor's choice of facts for project mode, checked: a fact id or a list of them, each a
    fact of the vocabulary (data/facts.yaml), at least one."""
    chosen = (facts,) if isinstance(facts, str) else tuple(facts)
    vocab = vocabulary()
    unknown = [f for f in chosen if f not in vocab]
    if unknown or not chosen:
        what = f"unknown fact(s) {', '.join(repr(f) for f in unknown)}" if unknown else "no fact chosen"
        raise FactError([f"project facts: {what}; choose from: {', '.join(vocab)}"])
    return tuple(dict.fromkeys(chosen))


def plain_problem(problem: str) -> str:
    """'conduct_date: value ...' -> 'Date of the conduct (conduct_date): value ...'."""
    field, _, rest = problem.partition(":")
    spec = vocabulary().get(field.strip())
    return f"{spec.label} ({spec.id}):{rest}" if spec else problem


#: The class that dims a lab's answers while what the student typed is not valid (rendering.CSS).
STALE = "deshaney-stale"
#: What a date box does, said where a student looks when a typed date seems to do nothing.
DATE_HINT = "Type the date as YYYY-MM-DD, then press Enter (or click elsewhere) to apply it."


def problems_by_box(problems: list[str], boxes: Any, cause: str | None = None) -> dict[str | None, list[str]]:
    """Each problem beside the box that caused it. A problem about one of `boxes` goes to the box just
    changed when that is one of them (a conduct date typed after the decision date is the conduct
    box's problem, though the rule names the decision date), else to the box it names; a problem
    about anything else goes to the lab's own message (key None)."""
    out: dict[str | None, list[str]] = {}
    for problem in problems:
        field = problem.partition(":")[0].strip()
        where = (cause if cause in boxes else field) if field in boxes else None
        out.setdefault(where, []).append(problem)
    return out


def box_messages(fields: Any) -> dict[str, widgets.HTML]:
    """An empty message widget for each box in `fields`, to sit right under it."""
    out = {}
    for fid in fields:
        out[fid] = widgets.HTML("")
        out[fid].add_class("deshaney-box-message")
        out[fid].add_class(f"deshaney-box-message-{fid}")
    return out


def changed_control(controls: dict[str, Any], change: Any) -> str | None:
    """The id of the control a traitlets change came from (None: not a control, or no change)."""
    owner = change.get("owner") if isinstance(change, dict) else getattr(change, "owner", None)
    return next((fid for fid, w in controls.items() if w is owner), None)


def box_message_html(problems: list[str]) -> str:
    """The message beside a box: what is wrong, and what to do."""
    if not problems:
        return ""
    return ("".join(f'<div class="dsh-error">{rendering.escape(plain_problem(p))}</div>' for p in problems)
            + '<div class="dsh-muted">Fix it, then press Enter. Until then the answers are marked stale.</div>')


#: The class the stale banner's widget carries while it shows: CSS dims what follows it (the
#: projector, which ignores later class changes of its own) with a sibling selector, never `:has()`,
#: whose checks on every change of the page cost more than the rest of a redraw (issue 21).
STALE_SHOWN = "deshaney-stale-shown"


class StaleMarks:
    """A lab's answers marked stale while its input is invalid: a banner above them, and every output
    dimmed (class `STALE`), until the input is valid again."""

    def __init__(self, outputs: list[widgets.DOMWidget]):
        self.outputs = outputs
        self.banner = widgets.HTML("")
        self.banner.add_class("deshaney-stale-banner")
        self.stale = False

    def mark(self, problems: list[str], facts: Facts) -> None:
        self.stale = bool(problems)
        for w in self.outputs:
            (w.add_class if self.stale else w.remove_class)(STALE)
        (self.banner.add_class if self.stale else self.banner.remove_class)(STALE_SHOWN)
        if not self.stale:
            self.banner.value = ""
            return
        spec = vocabulary().get(problems[0].partition(":")[0].strip())
        what = "the date" if spec is not None and spec.kind == "date" else "the facts"
        where = f" ({rendering.escape(spec.label)}: see the message beside it)" if spec is not None else ""
        self.banner.value = (f'<div class="dsh-stale-banner" role="status"><b>Stale: fix {what}</b>{where}. The answers '
                             f"below are still those for the last valid facts (conduct "
                             f"{facts.conduct_date.isoformat()}, decided {facts.decision_date.isoformat()}); they "
                             "update as soon as the input is valid.</div>")


def parse_initial(case: str | None, facts: dict | None) -> tuple[Facts, str | None]:
    """The facts a lab opens with: a case's, then any given facts on top, else a blank pattern."""
    case_id = None
    if case:
        c = find_case(case)
        base, case_id = c.facts.to_dict(), c.id
    else:
        base = dict(BLANK)
    if facts:
        base.update(facts)
    return parse_facts(base), case_id


# --- the circuit lab --------------------------------------------------------------------------

class CaseMenu:
    """A lab's "load a real case" menu: choosing loads the case; loading shows it in the menu."""

    case_menu: widgets.Dropdown

    def _show_case(self, case_id: str) -> None:
        """Set the menu without loading again."""
        if self.case_menu.value != case_id:
            self.case_menu.unobserve(self._case_chosen, names="value")
            try:
                self.case_menu.value = case_id
            finally:
                self.case_menu.observe(self._case_chosen, names="value")

    def _case_chosen(self, change) -> None:
        if change["new"]:
            self.load_case(change["new"])  # type: ignore[attr-defined]


class CircuitLab(CaseMenu, widgets.VBox):
    """The twelve circuits' answers on top (the projector view), then the real-case menu, the fact
    panel, the element table, the forum's card, the chart and the flips."""

    #: Seconds to wait for the browser's "painted" before sending the heavier outputs anyway.
    REST_TIMEOUT = 0.25

    def __init__(self, facts: Facts, case_id: str | None = None, presentation: bool = False,
                 chart: bool | str = True, project: bool | str = "auto", project_facts: Any = PROJECT_FACTS):
        self.presentation = presentation
        self.panel = FactPanel(facts, presentation)
        self.controls = self.panel.controls
        self.case_menu = widgets.Dropdown(
            options=[("(choose a real case to load its facts)", "")] + [(c.label, c.id) for c in cases()],
            value=case_id or "", description="Load a real case:",
            style={"description_width": "initial"}, layout=widgets.Layout(width="95%"))
        self.case_menu.add_class("deshaney-case-menu")
        self.case_notice = widgets.HTML("")
        self.case_notice.add_class("deshaney-case-notice")
        #: The case the facts were last loaded from: the caption names it after a change.
        self.based_on: str | None = case_id or None
        self.projector = projector_view.Projector()
        self.projector.observe(self._selected, names="selected")
        self.projector.on_painted(self._painted)
        self.table = CircuitTable()
        self.table.add_class("deshaney-circuit-table")
        comparison = cached_compare(facts)
        self.figure: ElementChart | None = None
        self.chart = widgets.Box([])
        self.chart.add_class("deshaney-chart")
        self.chart_button = widgets.Button(description="Show the element chart", icon="table",
                                           layout=widgets.Layout(width="auto"))
        self.chart_button.add_class("deshaney-chart-button")
        self.chart_button.on_click(lambda _b: self.show_chart())
        self.flips_panel = widgets.HTML()
        self.flips_panel.add_class("deshaney-flips")
        self.forum_card = widgets.HTML()
        self.forum_card.add_class("deshaney-forum-card")
        self.updates = 0  # how many times the outputs were redrawn (tests count these)
        self._pending: tuple | None = None
        self._timer = None
        self._waiting_for = 0
        style = widgets.HTML(rendering.CSS)
        style.add_class("deshaney-style")  # a style element only: hidden, it takes no room (projector.css)
        # The projector (an anywidget) ignores later class changes: CSS dims it while the banner shows.
        self.stale = StaleMarks([self.table, self.forum_card, self.chart, self.flips_panel])
        # The stage: the twelve answers beside the facts, on one screen (helpers/static/projector.css
        # lays it out; the map and the note follow below them).
        # Project mode's "all facts" (helpers/static/projector.css shows it only in project mode).
        self.all_facts = widgets.ToggleButton(value=False, description="All facts", icon="list",
                                              tooltip="Show every fact, not only the ones picked for project mode",
                                              layout=widgets.Layout(width="auto"))
        self.all_facts.add_class("deshaney-all-facts")
        self.all_facts.observe(self._all_facts, names="value")
        facts_column = widgets.VBox([self.case_menu, self.all_facts, self.case_notice, self.panel])
        facts_column.add_class("deshaney-stage-facts")
        self.stage = widgets.Box([self.projector, facts_column])
        self.stage.add_class("deshaney-stage")
        super().__init__([
            style, self.stale.banner, self.stage,
            widgets.HTML("<h4>All twelve circuits, element by element</h4><span class='dsh-muted'>Click a circuit "
                         "in the list at the top (or Tab to it and press Enter) for every element's reason and "
                         "what prong two rests on; click an element here for its reason.</span>"),
            self.table, self.forum_card, self.chart, self.flips_panel,
        ])
        self.add_class("deshaney-circuit-lab")
        if presentation:
            self.add_class("deshaney-presentation")
        self.case_menu.observe(self._case_chosen, names="value")
        rendering.register_display()
        if case_id and not find_case(case_id).conduct_known and find_case(case_id).facts == facts:
            self.panel.replace(facts, conduct_known=False)
        if chart is True:
            self.show_chart(comparison)
        else:
            self.chart.children = (self.chart_button,)
        self._render(facts, comparison, figure=False)
        self.panel.on_facts(self._render)
        self.panel.on_problems(lambda problems: self.stale.mark(problems, self.panel.facts))
        self.project(project, project_facts)

    @property
    def facts(self) -> Facts:
        return self.panel.facts

    @property
    def message(self) -> str:
        """Every problem message shown (beside its date box or under the panel); '' when all is valid."""
        return self.panel.problems_shown

    def set(self, **facts: Any) -> Facts:
        return self.panel.set(**facts)

    def project(self, mode: bool | str | None = None, facts: Any = None) -> tuple[str, ...]:
        """Project mode: the twelve answers as a grid of chips above a handful of facts (the rest one
        click away, "All facts"), for a lab with little room (150% zoom beside JupyterLab's file
        browser). `mode`: "auto" (on when the lab is narrow; the default), "on" (True), "off" (False);
        None keeps it. `facts`: the fact ids to show (default `PROJECT_FACTS`). Returns them.

            >>> lab.project("on", facts=["custody", "danger_effect", "awareness"])
        """
        if mode is not None:
            wanted = ("on" if mode else "off") if isinstance(mode, bool) else mode
            if wanted not in PROJECT_MODES:
                raise FactError([f"project mode: {mode!r} is not a mode; choose from: "
                                 f"{', '.join(PROJECT_MODES)} (or True / False)"])
            self.projector.project = wanted
        if facts is not None:
            self.panel.pick(facts)
        return self.panel.picked

    def _all_facts(self, change) -> None:
        (self.add_class if change["new"] else self.remove_class)("dsh-all-facts")
        self.all_facts.description = "Fewer facts" if change["new"] else "All facts"

    def show_chart(self, comparison: Comparison | None = None) -> ElementChart:
        """Build the chart (once): circuits against the kinds of element, met or not."""
        if self.figure is None:
            comparison = comparison or cached_compare(self.facts)
            self.figure = ElementChart()
            self.figure.show(rendering.heatmap_data(comparison, self.facts.assume_recognized), rendering.CHART_TITLE)
            self.chart.children = (self.figure,)
        return self.figure

    def load_case(self, label_or_id: str) -> Facts:
        """Fill the panel with a real case's facts (and its opinion's analysis options)."""
        c = find_case(label_or_id)
        if c.facts == self.facts and self.panel.conduct_unknown != (not c.conduct_known):
            self.panel.conduct_unknown = not c.conduct_known  # same facts: no redraw comes, so draw here
            self.panel._write(c.facts)
            self._render(c.facts)
        else:
            self.panel.replace(c.facts, conduct_known=c.conduct_known)
        self._show_case(c.id)
        self.based_on = c.id
        return self.facts

    # --- drawing: answers, table and chart at once; the rest after the browser has painted them --

    def _from_browser(self) -> bool:
        """True while a control's new value is being applied from the browser (ipywidgets holds a
        property lock on the widget then); False for a change made from code."""
        return any(w._property_lock for w in (*self.controls.values(), self.case_menu))

    def _render(self, facts: Facts, comparison: Comparison | None = None, figure: bool = True) -> None:
        comparison = comparison or cached_compare(facts)
        self.projector.show(comparison, facts.circuit)
        self._render_answers(facts, comparison, figure)
        loop = _running_loop() if self._from_browser() else None
        if loop is None:
            self._pending = None
            self._render_rest(facts, comparison, figure)
            return
        self._pending = (facts, comparison, figure)
        self._waiting_for = self.projector.seq
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.REST_TIMEOUT, self._flush)

    def _painted(self, seq: int) -> None:
        if self._pending is not None and seq >= self._waiting_for:
            self._flush()

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self._render_rest(*pending)

    def _render_answers(self, facts: Facts, comparison: Comparison, figure: bool = True) -> None:
        """The element table and the chart, sent right after the twelve answers: the browser draws all
        three in one frame (the bench measured the table and chart about 3x sooner than when they
        waited for the answers' 'painted', the answers a little later). The flips and the forum's
        card, slower to compute, still wait for 'painted'."""
        self.table.value = rendering.circuit_table_html(comparison, facts.circuit, style=False)
        if figure and self.figure is not None:
            self.figure.show(rendering.heatmap_data(comparison, facts.assume_recognized))

    def _render_rest(self, facts: Facts, comparison: Comparison, figure: bool = True) -> None:
        forum = facts.circuit
        if self.case_menu.value and find_case(self.case_menu.value).facts != facts:
            self._show_case("")  # the facts are the student's own now; choosing the case again reloads it
        standing_in = self.panel.standing_in
        self.case_notice.value = (f'<p class="dsh-muted" data-conduct="unknown">{rendering.escape(_conduct_note(facts))}</p>'
                                  if standing_in else "")
        self.projector.caption = _caption(facts, self.case_menu.value, standing_in, self.based_on)
        self.forum_card.value = (rendering.answer_card_html(comparison[forum], style=False, law=law(),
                                                            conduct_known=not standing_in)
                                 if forum else "<p class='dsh-muted'>Choose a circuit (the forum) above to see "
                                               "its answer in full.</p>")
        self._detail(comparison)
        self.flips_panel.value = rendering.flips_html(_flips_for(facts), forum)
        self.updates += 1

    def _detail(self, comparison: Comparison | None = None) -> None:
        cid = self.projector.selected
        if cid not in CIRCUITS:
            self.projector.detail = ""
            return
        comparison = comparison or cached_compare(self.facts)
        self.projector.detail = projector_view.detail_html(comparison[cid], law(),
                                                           conduct_known=not self.panel.standing_in)

    def _selected(self, change) -> None:
        self._detail()

    def open_circuit(self, circuit: str | None) -> str:
        """Open a circuit's elements and reasons in the projector view, as a click does ('' closes)."""
        cid = parse_facts({**BLANK, "circuit": circuit}).circuit if circuit else ""
        self.projector.selected = cid or ""
        return self.projector.detail


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _caption(facts: Facts, case_id: str, standing_in: bool, based_on: str | None = None) -> str:
    """The projector's caption: the case shown, or the case the facts were loaded from and what
    was changed since ("based on Kennedy v. ..., changed: custody, state of mind"), and the dates."""
    conduct = "conduct date unknown" if standing_in else f"conduct {facts.conduct_date.isoformat()}"
    case = find_case(case_id or based_on) if (case_id or based_on) else None
    changed = changed_facts(case.facts, facts) if case is not None and not case_id else ""
    where = (f"based on {case.label}, changed: {changed}; " if changed else
             f"{case.label}: " if case is not None else "")
    return f"{where}{conduct}, decided {facts.decision_date.isoformat()}"


def changed_facts(before: Facts, after: Facts, most: int = 3) -> str:
    """The facts that differ, by their labels: 'custody, state of mind' (beyond `most`: 'and N more');
    '' when none does."""
    vocab = vocabulary()
    old, new = before.to_dict(), after.to_dict()
    labels = [vocab[f].label.lower() if f in vocab else f for f in new if old.get(f) != new.get(f)]
    labels += [vocab[f].label.lower() if f in vocab else f for f in old if f not in new]
    shown = ", ".join(labels[:most])
    return shown + (f" and {len(labels) - most} more" if len(labels) > most else "")


def _conduct_note(facts: Facts) -> str:
    return (f"The date of the conduct is not in the workbook's data for this case, so it is shown as unknown; "
            f"the decision date ({facts.decision_date.isoformat()}) stands in for it in the analysis. "
            "Type the real date in the box if you know it.")


def circuit_lab(case: str | None = None, facts: dict | None = None, presentation: bool = False,
                chart: bool | str = True, project: bool | str = "auto", project_facts: Any = PROJECT_FACTS) -> CircuitLab:
    """The full fact panel and all twelve circuits; start from a real case, facts, or both.
    `chart="button"` builds the element chart only when asked (the classroom demo: the answers and the
    table first, the grid of elements one click away).
    `project`, `project_facts`: project mode and the facts it shows (`CircuitLab.project`)."""
    start, case_id = parse_initial(case, facts)
    return CircuitLab(start, case_id if not facts else None, presentation, chart, project, project_facts)


def answer_card(facts: dict, circuit: str) -> widgets.HTML:
    """A static summary of one circuit's answer (both prongs, every element)."""
    raw = dict(facts)
    raw["circuit"] = circuit
    html = widgets.HTML(rendering.answer_card_html(evaluate(raw), law=law()))
    html.add_class("deshaney-answer-card")
    return html
