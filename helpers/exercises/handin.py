"""Handing in: the hand-in file (every saved answer) written beside the notebook, and in the browser
version a download link for it. Its name carries the student's: handin-jane-doe.csv
(`ProgressStore.hand_in_name`); without a name it is progress.csv, and the hand-in asks for one.

ipywidgets is imported inside `hand_in`, so importing the package stays free of UI imports."""
from __future__ import annotations

import base64
import html
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from .. import lite
from ..progress import default_store, hand_in_sentence, name_from_environment
from .naming import needs_name, prompt_for, when_named


HAND_IN_FILE = "progress.csv"  # the name without a student's name (and before names were asked)


def file_name_for(store: Any) -> str:
    """handin-<name>.csv for a store that knows the student's name, else progress.csv."""
    return store.hand_in_name() if hasattr(store, "hand_in_name") else HAND_IN_FILE


def whose(store: Any) -> str | None:
    """The name the hand-in shows (DESHANEY_STUDENT, else the name given), or None."""
    return name_from_environment() or (store.given_name() if hasattr(store, "given_name") else None)


def write_hand_in(dest: str | Path | None = None, *, store: Any = "default") -> str:
    """Write every saved answer to a CSV file (default: handin-<your name>.csv, or progress.csv with
    no name, in the current directory, which in a notebook is the notebook's folder); return a
    sentence saying whose, where and how many."""
    if store == "default":
        store = default_store()
    name = file_name_for(store)
    path = Path(dest) if dest else Path.cwd() / name
    path = path.expanduser().resolve()
    try:
        n = store.export_csv(path)
    except (OSError, sqlite3.Error) as exc:
        return f"Could not write {path}: {exc}. Ask your instructor, or try another folder: hand_in('FOLDER/{name}')."
    student = whose(store)
    said = hand_in_sentence(store, path, n)
    return (f"Hand-in of {student}. " if student else
            "This hand-in has no name (give yours in the box above, then write it again). ") + said


def hand_in(dest: str | Path | None = None, *, store: Any = "default", now: bool = False):
    """A button that writes the hand-in file (progress.csv beside the notebook) and says where.

        hand_in()            # in a cell: press the button
        hand_in(now=True)    # write at once; the widget shows where it went
        write_hand_in()      # no widget: the sentence, for scripts
    """
    import ipywidgets as widgets  # UI: imported only when drawing, so grading and check-lessons stay light

    button = widgets.Button(description="Write my progress file", button_style="primary", icon="download",
                            layout=widgets.Layout(width="auto"))
    button.add_class("deshaney-hand-in-button")
    message = widgets.HTML()
    message.add_class("deshaney-hand-in-message")

    mine = default_store() if store == "default" else store

    def describe(_: Any = None) -> None:
        student = whose(mine)
        message.value = (f"<p class='dsh-muted'>Writes {html.escape(file_name_for(mine))} (every answer you saved"
                         + (f", as <b>{html.escape(student)}</b>" if student else
                            ", with no name yet: give yours in the name box first") + ") into this notebook's "
                         "folder, to hand in.</p>")

    describe()

    def write(_=None) -> str:
        said = write_hand_in(dest, store=store)
        if lite.IN_BROWSER:  # JupyterLite: the file lives in the browser; offer it as a download
            said = as_the_file_browser_shows(said)
            message.value = (f"<p>{html.escape(said)}</p><p>"
                             + download_link(None if store == "default" else store) + "</p>")
        else:
            message.value = f"<p>{html.escape(said)}</p>"
        return said

    button.on_click(write)
    asked = prompt_for(mine, ("hand_in",))  # no name yet, and no box above in this notebook: ask here
    if needs_name(mine):
        when_named(describe)  # given in any box of this notebook: the hand-in says so at once
    box = widgets.VBox([*([asked] if asked else []), button, message])
    box.name_prompt = asked  # type: ignore[attr-defined]
    box.add_class("deshaney-hand-in")
    box.write = write  # type: ignore[attr-defined]
    box.button, box.message = button, message  # type: ignore[attr-defined]
    if now:
        write()
    return box


def as_the_file_browser_shows(text: str) -> str:
    """In the browser version the kernel sees the student's files under /drive, a path she never sees:
    name them as JupyterLite's file browser does (/drive/notebooks/progress.csv -> notebooks/progress.csv)."""
    drive = str(lite.DRIVE).rstrip("/") + "/"
    return text.replace(drive, "")


#: A link that looks like one wherever it is shown (JupyterLab's styles make a bare <a> look like text).
LINK_STYLE = ("display:inline-block;padding:4px 10px;border:1px solid #1565c0;border-radius:4px;"
              "color:#1565c0;text-decoration:underline;font-weight:600;cursor:pointer")


def download_link(store: Any = None, student: str | None = None, file_name: str | None = None) -> str:
    """An HTML link that downloads the hand-in CSV (every saved answer) from the page itself: the
    browser version's hand-in, where the file lives in the browser. Its name carries the student's."""
    if store is None:
        store = default_store()
    file_name = file_name or file_name_for(store)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / file_name
        n = store.export_csv(csv_path, student)
        data = csv_path.read_bytes()
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
    label = f"\u2b07 Download {file_name} ({n} answer{'s' if n != 1 else ''})"
    return (f'<a class="deshaney-download" download="{html.escape(file_name, quote=True)}" '
            f'href="{href}" style="{LINK_STYLE}">{html.escape(label)}</a>')
