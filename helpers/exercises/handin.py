"""Handing in: progress.csv (every saved answer) written beside the notebook, and in the browser
version a download link for it.

ipywidgets is imported inside `hand_in`, so importing the package stays free of UI imports."""
from __future__ import annotations

import base64
import html
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from .. import lite
from ..progress import default_store, hand_in_sentence


HAND_IN_FILE = "progress.csv"


def write_hand_in(dest: str | Path | None = None, *, store: Any = "default") -> str:
    """Write every saved answer to a CSV file (default: progress.csv in the current directory,
    which in a notebook is the notebook's folder); return a sentence saying where and how many."""
    if store == "default":
        store = default_store()
    path = Path(dest) if dest else Path.cwd() / HAND_IN_FILE
    path = path.expanduser().resolve()
    try:
        n = store.export_csv(path)
    except (OSError, sqlite3.Error) as exc:
        return f"Could not write {path}: {exc}. Ask your instructor, or try another folder: hand_in('FOLDER/progress.csv')."
    return hand_in_sentence(store, path, n)


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
    message = widgets.HTML("<p class='dsh-muted'>Writes progress.csv (every answer you saved) into this "
                           "notebook's folder, to hand in.</p>")
    message.add_class("deshaney-hand-in-message")

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
    box = widgets.VBox([button, message])
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


def download_link(store: Any = None, student: str | None = None, file_name: str = HAND_IN_FILE) -> str:
    """An HTML link that downloads the hand-in CSV (every saved answer) from the page itself: the
    browser version's hand-in, where the file lives in the browser."""
    if store is None:
        store = default_store()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / file_name
        n = store.export_csv(csv_path, student)
        data = csv_path.read_bytes()
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
    label = f"\u2b07 Download {file_name} ({n} answer{'s' if n != 1 else ''})"
    return (f'<a class="deshaney-download" download="{html.escape(file_name, quote=True)}" '
            f'href="{href}" style="{LINK_STYLE}">{html.escape(label)}</a>')
