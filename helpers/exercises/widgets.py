"""The widgets: one exercise (`ExerciseWidget`), a lesson's set with its running score
(`exercise_set`), one exercise on its own (`exercise`), and a lab held back until its prediction is
made (`after_prediction`). Every checked answer is graded by `grading.grade` and saved to the
student's progress store.

A prediction is placed once, on its own before the lab that reveals its answer (`exercise`); the
lesson's set does not show it a second time but counts it in the score, and follows it as it is
answered (`PLACED_ON_THEIR_OWN`, `_announce`).

ipywidgets is imported inside the functions and methods that draw, so importing the package (for
grading or `check-lessons`) stays free of UI imports."""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..facts import vocabulary
from ..loading import DataError
from ..progress import answer_history, current_student, default_store
from .argue import grade_plies, moves_text, parse_moves
from .bank import load_lesson
from .characterise import choices_text, parse_choices
from .grading import choice_for, grade, parse_saved
from .handin import hand_in
from .model import Bank, Exercise, Feedback, plural
from .naming import prompt_for
from .order import choice_order, move_order
from .presentation import describe_facts, html_lines


#: The exercise types a notebook places on their own (a prediction, just before the lab that would give
#: its answer away). A lesson's set shows one line for each instead of a second copy.
PLACED_ON_THEIR_OWN = ("predict",)

#: Who follows an exercise placed on its own, by (lesson, exercise id): the set that scores it and
#: the lab it holds back. Each is called with every checked answer's Feedback.
_FOLLOWERS: dict[tuple[str, str], list[Callable[[Feedback], None]]] = {}


def _follow(lesson_id: str, exercise_id: str, callback: Callable[[Feedback], None]) -> None:
    _FOLLOWERS.setdefault((lesson_id, exercise_id), []).append(callback)


def _announce(lesson_id: str, exercise_id: str, fb: Feedback) -> None:
    for callback in list(_FOLLOWERS.get((lesson_id, exercise_id), ())):
        callback(fb)


def _saved_feedback(store: Any, lesson_id: str, exercise: Exercise, student: str) -> Feedback | None:
    """The latest saved answer to one exercise, graded now (None: never answered, or unreadable)."""
    if store is None:
        return None
    try:
        h = answer_history(store, lesson_id, student).get(exercise.id)
    except Exception:  # noqa: BLE001 - the set reports unreadable progress; here it only means "not yet"
        return None
    if h is None:
        return None
    fb = grade(exercise, parse_saved(exercise, h.latest.answer))
    return fb if fb.answered else None


class ExerciseWidget:
    """One exercise: prompt, facts, choices, Check, Retry and feedback.

    `on_check(self, feedback)` is called with every graded answer (for scoring and saving)
    and may return a note to add under the feedback (e.g. 'not saved yet')."""

    def __init__(self, exercise: Exercise, number: int | None = None,
                 on_check: Callable[["ExerciseWidget", Feedback], str | None] | None = None,
                 student: str | None = None, bank: Bank | None = None):
        import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

        self.exercise = exercise
        self.on_check = on_check
        self.last: Feedback | None = None
        self.order = choice_order(exercise, student, bank)
        heading = f"{number}. " if number else ""
        if exercise.title:
            heading += exercise.title
        prompt = (f"<p><b>{html.escape(heading)}</b></p>" if heading else "") + html_lines(exercise.prompt)
        if exercise.narrative:
            prompt += f"<blockquote class='deshaney-narrative'>{html_lines(exercise.narrative)}</blockquote>"
        self.prompt = widgets.HTML(prompt)
        parts = [self.prompt]
        if exercise.facts is not None and exercise.type != "characterise":
            lines = describe_facts(exercise.facts, show_circuit=exercise.type != "which_circuits",
                                   conduct_known=exercise.conduct_known)
            self.facts = widgets.HTML("<ul class='deshaney-facts'>" + "".join(
                f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
            parts.append(self.facts)
        wide = widgets.Layout(width="auto", max_width="100%")
        self._plies: list = []
        if exercise.select == "plies":  # one group of moves per ply, opened one after another
            self._plies = [widgets.RadioButtons(options=[(m.text, m.id) for m in move_order(exercise, ply, student)],
                                                value=None, layout=wide)
                           for ply in exercise.plies]
            self._ply_boxes = []
            for ply, radio in zip(exercise.plies, self._plies):
                radio.add_class(f"deshaney-ply-{ply.id}")
                box = widgets.VBox([widgets.HTML(f"<p><b>{html.escape(ply.label)}.</b> {html.escape(ply.prompt)}</p>"),
                                    radio])
                box.add_class("deshaney-ply")
                self._ply_boxes.append(box)
            self._boxes = list(self._plies)
            self.choices = widgets.VBox(self._ply_boxes)
            self._open_plies(1)
        elif exercise.select == "facts":  # the student sets each fact herself
            vocab = vocabulary()
            self._setters = {}
            for f in exercise.asked:
                spec = vocab[f]
                options = ([("(choose)", "")] + ([("yes", "yes"), ("no", "no")] if spec.kind == "flag" else
                                                 [(spec.label_of(v), v) for v in spec.values]))
                dd = widgets.Dropdown(options=options, value="", description=spec.label,
                                      style={"description_width": "initial"}, layout=wide)
                dd.add_class(f"deshaney-set-{f}")
                self._setters[f] = dd
            self._boxes = list(self._setters.values())
            self.choices = widgets.VBox(self._boxes)
        elif exercise.select == "one":
            self.choices = widgets.RadioButtons(options=[(c.text, c.id) for c in self.order], value=None,
                                                layout=wide)
            self._boxes: list = []
        elif exercise.select == "many":
            self._boxes = [widgets.Checkbox(value=False, description=c.text, indent=False, layout=wide)
                           for c in self.order]
            self.choices = widgets.VBox(self._boxes)
        else:
            self._boxes = []
            self.choices = widgets.Text(placeholder="Type your answer", layout=widgets.Layout(width="60%"))
        self.choices.add_class("deshaney-choices")
        self.check = widgets.Button(description="Check", button_style="primary")
        self.check.add_class("deshaney-check")
        self.retry = widgets.Button(description="Retry", disabled=True)
        self.retry.add_class("deshaney-retry")
        self.feedback = widgets.HTML("")
        self.feedback.add_class("deshaney-feedback")
        self.check.on_click(lambda _: self.submit())
        self.retry.on_click(lambda _: self.reset())
        self.box = widgets.VBox(parts + [self.choices, widgets.HBox([self.check, self.retry]), self.feedback],
                                layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="8px 0"))
        self.box.add_class("deshaney-exercise")
        self.box.add_class(f"deshaney-exercise-{exercise.id}")

    def _open_plies(self, n: int) -> None:
        for i, box in enumerate(getattr(self, "_ply_boxes", [])):
            box.layout.display = None if i < n else "none"

    def answer(self) -> Any:
        if self.exercise.select == "plies":
            return {ply.id: r.value for ply, r in zip(self.exercise.plies, self._plies) if r.value}
        if self.exercise.select == "facts":
            return {f: dd.value for f, dd in self._setters.items() if dd.value != ""}
        if self.exercise.select == "many":
            return [c.id for c, box in zip(self.order, self._boxes) if box.value]
        return self.choices.value

    def set_answer(self, value: Any) -> None:
        """Select an answer as a student would (tests drive the widget through this)."""
        if self.exercise.select == "plies":
            moves = parse_moves(value)
            for ply, r in zip(self.exercise.plies, self._plies):
                r.value = moves.get(ply.id) if moves.get(ply.id) in {m.id for m in ply.moves} else None
            self._open_plies(max([i + 1 for i, p in enumerate(self.exercise.plies) if p.id in moves] + [1]))
            return
        if self.exercise.select == "facts":
            chosen = parse_choices(self.exercise.asked, value)
            shown = dict(p.split("=", 1) for p in choices_text(chosen).split(";") if "=" in p)
            for f, dd in self._setters.items():
                dd.value = shown.get(f, "")
            return
        if self.exercise.select == "many":
            chosen = {choice_for(self.exercise, v) for v in ([value] if isinstance(value, str) else value)}
            for c, box in zip(self.order, self._boxes):
                box.value = c.id in chosen
        elif self.exercise.select == "one":
            self.choices.value = choice_for(self.exercise, value)
        else:
            self.choices.value = value

    def submit(self) -> Feedback:
        fb = grade(self.exercise, self.answer())
        self.last = fb
        if self.exercise.select == "plies":  # open the next ply once the ones before it are right
            self._open_plies(min(len(self._plies), grade_plies(self.exercise.plies, self.answer())[3] + 1))
        if not fb.answered:
            self.feedback.value = f"<div class='deshaney-feedback-pending'>{html_lines(fb.message)}</div>"
            return fb
        note = self.on_check(self, fb) if self.on_check else None
        self._show(fb, note)
        return fb

    def restore(self, saved: str, note: str | None = None) -> Feedback | None:
        """Show a saved answer as it was left: selected, graded and locked (nothing is saved again).
        An answer that no longer fits the question (the bank changed) is left out: None."""
        value = parse_saved(self.exercise, saved)
        fb = grade(self.exercise, value)
        if not fb.answered:
            return None
        self.set_answer(value)
        self.last = fb
        self._show(fb, note)
        return fb

    def _show(self, fb: Feedback, note: str | None) -> None:
        colour, mark = ("#1b5e20", "Correct") if fb.correct else ("#b71c1c", "Try again")
        details = ""
        if fb.details:
            details = ("<details class='deshaney-feedback-details'><summary>Every choice, with its reason"
                       "</summary><ul>" + "".join(f"<li>{html.escape(d)}</li>" for d in fb.details)
                       + "</ul></details>")
        self.feedback.value = (f"<div class='deshaney-feedback-{'right' if fb.correct else 'wrong'}' "
                               f"style='border-left:4px solid {colour};padding-left:8px'>"
                               f"<p><b style='color:{colour}'>{mark}</b></p>{html_lines(fb.message)}{details}"
                               + (f"<p><i>{html.escape(note)}</i></p>" if note else "") + "</div>")
        self._lock(True)

    def reset(self) -> None:
        if self.exercise.select == "plies":  # keep the right moves; clear the first wrong one and after
            n = grade_plies(self.exercise.plies, self.answer())[3]
            for r in self._plies[n:]:
                r.value = None
            self._open_plies(n + 1)
        elif self.exercise.select == "facts":
            pass  # keep her choices: she changes the ones she wants
        elif self.exercise.select == "many":
            for box in self._boxes:
                box.value = False
        else:
            self.choices.value = None if self.exercise.select == "one" else ""
        self.feedback.value = ""
        self.last = None
        self._lock(False)

    def _lock(self, locked: bool) -> None:
        for w in [self.choices, *self._boxes]:
            w.disabled = locked
        self.check.disabled = locked
        self.retry.disabled = not locked

    @property
    def answer_text(self) -> str:
        if self.exercise.select == "plies":
            return moves_text(self.answer())
        if self.exercise.select == "facts":
            return choices_text(parse_choices(self.exercise.asked, self.answer()))
        value = self.answer()
        return ",".join(value) if isinstance(value, list) else str(value)


class PlacedElsewhere:
    """A lesson set's line for an exercise placed on its own earlier in the notebook (a prediction
    before its lab): its state, counted in the set's score, not a second copy. Where a notebook
    does not place it (or its cell was not run), "Answer it here" opens it in the set."""

    def __init__(self, exercise: Exercise, open_here: Callable[[], "ExerciseWidget"] | None = None):
        import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

        self.exercise = exercise
        self.last: Feedback | None = None
        self.here: ExerciseWidget | None = None
        self.line = widgets.HTML()
        self.line.add_class("deshaney-placed-elsewhere")
        self.line.add_class(f"deshaney-placed-{exercise.id}")
        self.answer_here = widgets.Button(description="Answer it here", layout=widgets.Layout(width="auto"))
        self.answer_here.add_class("deshaney-answer-here")
        self.box = widgets.VBox([self.line, self.answer_here])

        def opened(_: Any = None) -> None:
            if open_here is not None and self.here is None:
                self.here = open_here()
                self.box.children = (self.here.box,)

        self.answer_here.on_click(opened)
        self.answer_here.layout.display = None if open_here else "none"
        self.show(None)

    def show(self, fb: Feedback | None) -> None:
        self.last = fb if fb is not None else self.last
        state = ("not made yet: make it above, before the lab" if self.last is None else
                 "made, and right" if self.last.correct else "made, and not right (press Retry above to predict again)")
        title = html.escape(self.exercise.title or self.exercise.id)
        self.line.value = (f"<p class='deshaney-placed-note'><b>{title}</b> (the prediction above the lab, counted "
                           f"here): {state}.</p>")
        self.answer_here.layout.display = "none" if self.last is not None else self.answer_here.layout.display

    def restore(self, saved: str, note: str | None = None) -> Feedback | None:
        fb = grade(self.exercise, parse_saved(self.exercise, saved))
        if not fb.answered:
            return None
        self.show(fb)
        return fb


def build_exercise(exercise: Exercise, **kwargs: Any) -> tuple[Any, Callable[[Any], Feedback]]:
    """The widget and its pure grading function (ipyquizjb style)."""
    w = ExerciseWidget(exercise, **kwargs)
    return w.box, lambda answer: grade(exercise, answer)


@lru_cache(maxsize=1)
def _exercise_set_class():
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    class ExerciseSet(widgets.VBox):
        """A lesson's exercises with a running score; every checked answer is saved, and a saved
        answer comes back on its question in a new kernel. The first try and the latest are
        scored apart."""

        def setup(self, bank: Bank, store: Any, student: str | None) -> "ExerciseSet":
            self.bank, self.store, self.student = bank, store, student or current_student()
            self.results: dict[str, bool] = {}  # latest answer right?
            self.first: dict[str, bool] = {}    # first answer ever right?
            self.items: list = []
            for ex in bank.exercises:
                if ex.type in PLACED_ON_THEIR_OWN:
                    self.items.append(PlacedElsewhere(ex, lambda ex=ex: ExerciseWidget(
                        ex, on_check=self._checked_here, student=self.student, bank=bank)))
                    _follow(bank.lesson, ex.id, lambda fb, ex_id=ex.id: self._placed_checked(ex_id, fb))
                else:
                    number = 1 + sum(isinstance(it, ExerciseWidget) for it in self.items)
                    self.items.append(ExerciseWidget(ex, number, on_check=self._checked, student=self.student,
                                                     bank=bank))
            self.score = widgets.HTML()
            self.score.add_class("deshaney-score")
            self.notice = widgets.HTML(self._restore())
            self.notice.add_class("deshaney-progress-notice")
            self._update_score()
            header = widgets.HTML(f"<h3>Exercises: {html.escape(bank.title)}</h3>"
                                  + (html_lines(bank.intro) if bank.intro else ""))
            footer = []
            self.hand_in = None
            if self.store is not None:  # the hand-in file, written beside the notebook
                self.hand_in = hand_in(store=self.store)
                footer = [widgets.HTML("<h4>Hand in your progress</h4>"), self.hand_in]
            asked = prompt_for(self.store, ("exercise_set", bank.lesson))  # the student's name, once
            self.name_prompt = asked
            self.children = [header, *([asked] if asked else []), self.score, self.notice,
                             *[it.box for it in self.items], *footer]
            self.add_class("deshaney-exercise-set")
            return self

        def _restore(self) -> str:
            """Put every saved answer back on its question; say what was restored."""
            if self.store is None:
                return "<p><i>Answers in this set are not saved.</i></p>"
            try:
                history = answer_history(self.store, self.bank.lesson, self.student)
            except Exception as exc:  # noqa: BLE001 - report, never a traceback in a notebook
                return f"<p><i>Earlier progress could not be read from {html.escape(str(self.store.path))}: " \
                       f"{html.escape(str(exc))}</i></p>"
            restored = 0
            for item in self.items:
                h = history.get(item.exercise.id)
                if h is None:
                    continue
                tries = f"{h.tries} {'try' if h.tries == 1 else 'tries'}"
                fb = item.restore(h.latest.answer, f"Your saved answer ({tries}; first try "
                                  f"{'right' if h.first.correct else 'wrong'}). Press Retry to answer again.")
                if fb is None:
                    continue
                self.results[item.exercise.id] = fb.correct
                self.first[item.exercise.id] = h.first.correct
                restored += 1
            notes = self.store._take_notices() if hasattr(self.store, "_take_notices") else None
            text = ""
            if restored:
                text += (f"<p><i>Your saved answers to {plural(restored, 'question')} are shown on their "
                         "questions and counted in the score.</i></p>")
            if notes:
                text += f"<p><i>{html.escape(notes)}</i></p>"
            return text

        def _placed_checked(self, exercise_id: str, fb: Feedback) -> None:
            """The prediction placed above was checked (and saved there): show it and score it here."""
            self.item(exercise_id).show(fb)
            self._score(exercise_id, fb)

        def _score(self, exercise_id: str, fb: Feedback) -> None:
            self.results[exercise_id] = fb.correct
            self.first.setdefault(exercise_id, fb.correct)
            self._update_score()

        def _checked_here(self, item: ExerciseWidget, fb: Feedback) -> str | None:
            """A placed exercise answered in the set after all: saved and scored here, and whoever
            follows it (the lab it holds back) told."""
            note = self._checked(item, fb)
            _announce(self.bank.lesson, item.exercise.id, fb)
            return note

        def _checked(self, item: ExerciseWidget, fb: Feedback) -> str | None:
            self._score(item.exercise.id, fb)
            if self.store is None:
                return None
            saved = self.store.record(self.bank.lesson, item.exercise.id, fb.correct, item.answer_text, self.student)
            return saved.message

        def _update_score(self) -> None:
            n = len(self.items)
            right, first = sum(self.results.values()), sum(self.first.values())
            placed = sum(isinstance(it, PlacedElsewhere) for it in self.items)
            made_of = (f" ({plural(n - placed, 'question')} below and {plural(placed, 'prediction')} above the lab)"
                       if placed else "")
            self.score.value = (f"<p><b>Score: {right} of {n} right</b>{made_of} on your latest answers "
                                f"({len(self.results)} answered). "
                                f"<span class='deshaney-first-try'>First try: {first} of {n} right.</span></p>")

        @property
        def first_try_score(self) -> tuple[int, int]:
            return sum(self.first.values()), len(self.items)

        @property
        def latest_score(self) -> tuple[int, int]:
            return sum(self.results.values()), len(self.items)

        def item(self, exercise_id: str) -> "ExerciseWidget | PlacedElsewhere":
            return next(it for it in self.items if it.exercise.id == exercise_id)

    return ExerciseSet


def exercise_set(lesson_id: str, *, store: Any = "default", student: str | None = None,
                 lessons_dir: str | Path | None = None):
    """The lesson's exercises as one widget. A broken bank shows its problems, not a traceback.

    `store`: a progress store (default: the student's), or None to save nothing."""
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    try:
        bank = load_lesson(lesson_id, lessons_dir)
    except DataError as exc:
        box = widgets.HTML("<p><b>This lesson's exercises could not be loaded:</b></p><ul>"
                           + "".join(f"<li>{html.escape(p)}</li>" for p in exc.problems)
                           + "</ul><p>Run <code>python -m helpers check-lessons</code> for details.</p>")
        box.add_class("deshaney-exercise-error")
        return box
    if store == "default":
        store = default_store()
    return _exercise_set_class()().setup(bank, store, student)


def exercise(lesson_id: str, exercise_id: str, *, store: Any = "default", student: str | None = None,
             lessons_dir: str | Path | None = None):
    """One exercise of a lesson's bank, on its own, saved like the set's (a prediction placed just
    before the lab that reveals its answer). A saved answer comes back on it."""
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    try:
        bank = load_lesson(lesson_id, lessons_dir)
        ex = bank[exercise_id]
    except (DataError, KeyError) as exc:
        problems = exc.problems if isinstance(exc, DataError) else [f"lesson '{lesson_id}' has no exercise '{exercise_id}'"]
        return widgets.HTML("<p><b>This exercise could not be loaded:</b> " + html.escape("; ".join(problems)) + "</p>")
    if store == "default":
        store = default_store()
    who = student or current_student()

    def saved(item: ExerciseWidget, fb: Feedback) -> str | None:
        message = store.record(lesson_id, exercise_id, fb.correct, item.answer_text, who).message if store else None
        _announce(lesson_id, exercise_id, fb)  # the set that counts it, the lab it holds back
        return message

    item = ExerciseWidget(ex, on_check=saved, student=who, bank=bank)
    if store is not None:
        h = answer_history(store, lesson_id, who).get(exercise_id)
        if h is not None:
            item.restore(h.latest.answer, "Your saved answer. Press Retry to answer again.")
    item.box.item = item  # type: ignore[attr-defined]
    asked = prompt_for(store, ("exercise", lesson_id, exercise_id))  # the student's name, once
    if asked is not None:
        item.box.children = (asked, *item.box.children)
    item.box.name_prompt = asked  # type: ignore[attr-defined]
    return item.box


def after_prediction(lesson_id: str, exercise_id: str, lab: Any, *, store: Any = "default",
                     student: str | None = None, lessons_dir: str | Path | None = None):
    """The lab, held back until the prediction placed above it (`exercise(lesson_id, exercise_id)`)
    is checked, or was in an earlier session, or the student chooses to see it without predicting.
    Run All runs the cells but makes no prediction: the lab stays held back. Code cells can still
    drive the lab (`lab.set(...)`); only its view waits."""
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    try:
        ex = load_lesson(lesson_id, lessons_dir)[exercise_id]
    except (DataError, KeyError):
        return lab  # a broken bank shows its problem on the prediction itself; never hide the lab for it
    if store == "default":
        store = default_store()
    note = widgets.HTML(f"<p class='deshaney-held-note'><b>The lab is held back until you predict.</b> Answer "
                        f"<i>{html.escape(ex.title or ex.id)}</i> above and press <b>Check</b>: the lab opens here. "
                        "Or see it now, without predicting:</p>")
    reveal = widgets.Button(description="Show the lab without predicting")
    reveal.add_class("deshaney-reveal-lab")
    gate = widgets.VBox([note, reveal])
    gate.add_class("deshaney-held-lab")
    gate.lab = lab  # type: ignore[attr-defined]

    def open_lab(*_: Any) -> None:
        gate.children = (lab,)
        gate.remove_class("deshaney-held-lab")

    reveal.on_click(open_lab)
    _follow(lesson_id, exercise_id, open_lab)
    if _saved_feedback(store, lesson_id, ex, student or current_student()) is not None:
        open_lab()  # predicted in an earlier session
    gate.open_lab = open_lab  # type: ignore[attr-defined]
    return gate
