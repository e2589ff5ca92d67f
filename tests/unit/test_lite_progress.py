"""helpers.lite: progress kept through JupyterLite's drive, the hand-in link, no pandas needed.

The browser is simulated: IN_BROWSER switched on, /drive and /tmp pointed into tmp_path.
Each notebook in JupyterLite has its own kernel (its own /tmp): `kernel_restart` forgets
this kernel's working copy and what it last saw, as a new kernel would.
"""
from __future__ import annotations

import base64
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import lite, progress


@pytest.fixture
def browser(tmp_path, monkeypatch):
    drive = tmp_path / "drive"
    drive.mkdir()
    monkeypatch.setattr(lite, "IN_BROWSER", True)
    monkeypatch.setattr(lite, "DRIVE", drive)
    monkeypatch.setattr(lite, "WORKING", tmp_path / "tmp" / "progress.sqlite3")
    monkeypatch.setattr(lite, "_seen", {"digest": None})
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.setenv(progress.STUDENT_ENV_VAR, "ada")
    return drive


def kernel_restart(monkeypatch, tmp_path, name: str) -> None:
    """A new kernel (another notebook, or the page reloaded): its own, empty /tmp."""
    monkeypatch.setattr(lite, "WORKING", tmp_path / name / "progress.sqlite3")
    monkeypatch.setattr(lite, "_seen", {"digest": None})


def test_in_the_browser_the_store_works_in_tmp_and_saves_to_the_drive(browser):
    store = progress.ProgressStore()
    assert store.path == lite.WORKING
    assert store.record("01_deshaney", "q1", True, "b").ok
    saved = browser / "progress.sqlite3"
    assert saved.exists() and saved.read_bytes() == lite.WORKING.read_bytes()


def test_progress_survives_a_reload(browser, monkeypatch, tmp_path):
    progress.ProgressStore().record("01_deshaney", "q1", True, "b")
    kernel_restart(monkeypatch, tmp_path, "reloaded")
    assert progress.ProgressStore().latest("01_deshaney") == {"q1": True}


def test_two_notebooks_open_at_once_lose_nothing(browser, monkeypatch, tmp_path):
    kernel_restart(monkeypatch, tmp_path, "kernel-a")
    a = progress.ProgressStore()
    a.attempts()  # notebook A opened first, before any answer
    seen_a = dict(lite._seen)
    kernel_restart(monkeypatch, tmp_path, "kernel-b")
    b = progress.ProgressStore()
    b.record("02_special_relationship", "q1", True, "a")
    seen_b, working_b = dict(lite._seen), lite.WORKING
    # back in notebook A's kernel: its /tmp copy predates B's answer
    monkeypatch.setattr(lite, "WORKING", tmp_path / "kernel-a" / "progress.sqlite3")
    monkeypatch.setattr(lite, "_seen", seen_a)
    a.path = lite.WORKING
    a.record("01_deshaney", "q1", False, "c")
    assert {x.lesson for x in a.attempts()} == {"01_deshaney", "02_special_relationship"}
    monkeypatch.setattr(lite, "WORKING", working_b)
    monkeypatch.setattr(lite, "_seen", seen_b)
    b.path = working_b
    assert {x.lesson for x in b.attempts()} == {"01_deshaney", "02_special_relationship"}


def test_outside_the_browser_nothing_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "IN_BROWSER", False)
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "p.sqlite3"))
    assert progress.default_path() == tmp_path / "p.sqlite3"
    assert lite.pull(tmp_path / "p.sqlite3") is False and lite.push(tmp_path / "p.sqlite3") is False
    assert "python -m helpers progress" in progress.ProgressStore().describe()


def test_the_description_in_the_browser_says_where_and_what_is_lost(browser):
    text = progress.ProgressStore().describe()
    assert "this browser" in text and "another computer" in text


def test_download_link_carries_the_hand_in_csv(browser):
    store = progress.ProgressStore()
    store.record("01_deshaney", "q1", True, "b")
    store.record("01_deshaney", "q2", False, "a")
    from helpers.exercises import download_link  # the hand-in's link; it lives with handing in

    link = download_link(store)
    assert 'download="handin-ada.csv"' in link and "(2 answers)" in link  # the name set for the browser kernel
    payload = link.split("base64,", 1)[1].split('"', 1)[0]
    rows = list(csv.reader(io.StringIO(base64.b64decode(payload).decode("utf-8"))))
    assert rows[0] == list(progress.HANDIN_COLUMNS) and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"q1", "q2"}


def test_the_workbook_runs_without_pandas():
    """The element table renders as HTML where pandas is missing (as in JupyterLite)."""
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from helpers.law import law\n"
        "from helpers.engine import evaluate\n"
        "from helpers.rendering import element_frame\n"
        "rows = element_frame(evaluate(law().precedents['kennedy_v_ridgefield_2006'].fact_pattern()))\n"
        "html = rows._repr_html_()\n"
        "assert type(rows).__name__ == 'ElementRows' and len(rows) > 3, rows\n"
        "assert html.count('<tr data-element=') == len(rows) and 'affirmative_act' in html\n"
        "import helpers.widgets, helpers.cards, helpers.exercises, helpers.qilab, helpers.progress\n"
        "print('ok')\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_the_hand_in_names_no_internal_path_and_its_link_looks_like_a_link(browser, monkeypatch):
    """The student sees the file as her file browser shows it, never the kernel's /drive/..., and a
    download link styled as one (JupyterLab's styles make a bare link look like plain text)."""
    from helpers.exercises import hand_in

    folder = browser / "notebooks"
    folder.mkdir()
    monkeypatch.chdir(folder)  # the notebook's folder, as the kernel sees it
    store = progress.ProgressStore()
    store.record("01_deshaney", "q1", True, "b")
    box = hand_in(store=store)
    said = box.write()
    shown = box.message.value
    assert str(browser) not in shown and "/drive" not in shown and str(browser) not in said
    assert "notebooks/handin-ada.csv" in said and (folder / "handin-ada.csv").exists() and "Hand-in of ada" in said
    link = shown[shown.index("<a "):shown.index("</a>")]
    assert 'class="deshaney-download"' in link and "text-decoration:underline" in link and "(1 answer)" in link
