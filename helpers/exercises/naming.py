"""Asking the student's name, once: the first lab, exercise or hand-in a notebook shows while no
name is saved carries a small box (`name_prompt`). The name is kept with the progress
(`ProgressStore.set_name`), so no notebook asks again, in JupyterLab or in the browser version.
DESHANEY_STUDENT, when set, is the name and nothing is asked.

ipywidgets is imported inside the function that draws, so importing the package stays free of UI imports."""
from __future__ import annotations

import html
from typing import Any

from ..progress import check_name, name_from_environment

WHY = "Your professor's hand-in shows this name."

#: Which call in this kernel shows the box (the first one made while no name is saved; the same call
#: again, when its cell is run again, shows it again).
_SHOWN_BY: dict[str, Any] = {}
#: Called with the name once it is given in any box of this kernel (the hand-in's line, the boxes shown).
_ON_NAMED: list = []


def needs_name(store: Any) -> bool:
    """True while nothing names the student: no DESHANEY_STUDENT and no name saved with the progress."""
    if store is None or not hasattr(store, "set_name") or name_from_environment():
        return False
    try:
        return not store.given_name()
    except Exception:  # noqa: BLE001 - unreadable progress is reported by the set; here: ask
        return True


def prompt_for(store: Any, key: tuple):
    """The name box for the call `key` (e.g. ("exercise", lesson, id)), or None: none is needed, or
    another call in this kernel shows it (one box per notebook)."""
    if not needs_name(store):
        return None
    if _SHOWN_BY.setdefault("key", key) != key:
        return None
    return name_prompt(store)


def when_named(callback: Any) -> None:
    """Call `callback(name)` when the student gives her name in any box of this kernel."""
    _ON_NAMED.append(callback)


def name_prompt(store: Any, on_saved: Any = None):
    """A text box and a button: the student's name, saved with her progress once. An empty or
    whitespace name is refused with a message beside the box; a name that could not be saved is
    said at once (it is still used in this notebook)."""
    import ipywidgets as widgets  # UI: imported only when drawing

    text = widgets.Text(placeholder="e.g. Jane Doe", description="Your name:",
                        style={"description_width": "initial"}, layout=widgets.Layout(width="22em"))
    text.add_class("deshaney-name-text")
    button = widgets.Button(description="Save my name", button_style="primary", layout=widgets.Layout(width="auto"))
    button.add_class("deshaney-name-save")
    message = widgets.HTML()
    message.add_class("deshaney-name-message")
    why = widgets.HTML(f"<p><b>What is your name?</b> {html.escape(WHY)} Type it as it is on your course "
                       "roster; it is kept with your progress and not asked again.</p>")
    box = widgets.VBox([why, widgets.HBox([text, button, message])])
    box.add_class("deshaney-name-prompt")

    def save(_: Any = None) -> None:
        name, problem = check_name(text.value)
        if name is None:
            message.value = f"<span class='deshaney-name-problem' style='color:#b71c1c'>{html.escape(problem)}</span>"
            return
        saved = store.set_name(name)
        if not saved.ok:  # used in this notebook, but the student must know it is not kept
            message.value = f"<span class='deshaney-name-problem' style='color:#b71c1c'>{html.escape(saved.message or '')}</span>"
            return
        callbacks = [*_ON_NAMED, *([on_saved] if on_saved else [])]
        _ON_NAMED.clear()  # named: nothing waits for it any more
        for callback in callbacks:
            callback(name)  # this box, any other shown in this notebook, the hand-in's line
        if saved.message:  # a notice about the progress file (e.g. saved in a fallback)
            box.children = (*box.children, widgets.HTML(f"<p><i>{html.escape(saved.message)}</i></p>"))

    def thank(name: str) -> None:
        box.children = (widgets.HTML(f"<p class='deshaney-name-saved'>Thank you, <b>{html.escape(name)}</b>: "
                                     "your hand-ins show this name.</p>"),)

    when_named(thank)
    button.on_click(save)
    box.text, box.button, box.message, box.save = text, button, message, save  # type: ignore[attr-defined]
    return box
