"""The student's name: asked once (JupyterLab and the browser version), kept with the progress,
shown on every hand-in and in the hand-in file's name; DESHANEY_STUDENT wins when set."""
from __future__ import annotations

import csv
import html
import sqlite3

import pytest

from helpers import lite, progress
from helpers.exercises import exercise, exercise_set, hand_in, naming, write_hand_in
from helpers.progress import ProgressStore



def kernel_restart(monkeypatch, tmp_path, name: str) -> None:
    """A new notebook in the browser version: its own kernel, its own empty /tmp."""
    monkeypatch.setattr(lite, "WORKING", tmp_path / name / "progress.sqlite3")
    monkeypatch.setattr(lite, "_seen", {"digest": None})


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A kernel with no name anywhere: no DESHANEY_STUDENT, an empty progress file of its own."""
    monkeypatch.delenv(progress.STUDENT_ENV_VAR, raising=False)
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "data" / "progress.sqlite3"))
    monkeypatch.setattr(progress, "_STORES", {})
    monkeypatch.setattr(naming, "_SHOWN_BY", {})
    monkeypatch.setattr(naming, "_ON_NAMED", [])
    monkeypatch.chdir(tmp_path)
    return tmp_path


def new_kernel(monkeypatch) -> None:
    monkeypatch.setattr(progress, "_STORES", {})
    monkeypatch.setattr(naming, "_SHOWN_BY", {})
    monkeypatch.setattr(naming, "_ON_NAMED", [])


def test_asked_once_at_the_first_exercise_then_never_again(fresh, monkeypatch):
    first = exercise("01_deshaney", "predict_deshaney_with_an_act")
    assert first.name_prompt is not None and first.children[0] is first.name_prompt
    assert html.escape(naming.WHY) in first.name_prompt.children[0].value
    assert exercise_set("01_deshaney").name_prompt is None  # one box per notebook, not one per cell
    handing_in = hand_in()
    assert handing_in.name_prompt is None and "no name yet" in handing_in.message.value
    again = exercise("01_deshaney", "predict_deshaney_with_an_act")  # the same cell run again: still asked
    assert again.name_prompt is not None
    again.name_prompt.text.value = "  Jane   Doe "
    again.name_prompt.button.click()
    assert "Thank you, <b>Jane Doe</b>" in again.name_prompt.children[0].value
    assert "Thank you" in first.name_prompt.children[0].value  # the earlier box too
    assert "handin-jane-doe.csv" in handing_in.message.value and "<b>Jane Doe</b>" in handing_in.message.value
    assert exercise("01_deshaney", "predict_deshaney_with_an_act").name_prompt is None
    new_kernel(monkeypatch)  # another notebook, or a restart: the name is read from the progress file
    assert exercise("02_special_relationship", "predict_voluntary_to_foster").name_prompt is None
    assert exercise_set("02_special_relationship").name_prompt is None
    assert progress.current_student() == "Jane Doe"


@pytest.mark.parametrize("typed", ["", "   ", "\t \n"])
def test_an_empty_name_is_refused_beside_the_box_and_nothing_is_saved(fresh, typed):
    box = exercise("01_deshaney", "predict_deshaney_with_an_act").name_prompt
    box.text.value = typed
    box.button.click()
    assert "cannot be empty" in box.message.value and box.message in box.children[1].children
    assert progress.default_store().given_name() is None
    assert not progress.default_store().set_name(typed).ok


def test_deshaney_student_wins_and_nothing_is_asked(fresh, monkeypatch):
    progress.default_store().set_name("Jane Doe")
    monkeypatch.setenv(progress.STUDENT_ENV_VAR, "Section B Jane")
    new_kernel(monkeypatch)
    assert progress.current_student() == "Section B Jane"
    monkeypatch.delenv(progress.STUDENT_ENV_VAR)
    new_kernel(monkeypatch)
    store = progress.default_store()
    assert progress.current_student() == "Jane Doe" and store.hand_in_name() == "handin-jane-doe.csv"
    assert naming.prompt_for(store, ("x",)) is None


def test_answers_saved_before_the_name_are_hers_on_the_hand_in(fresh, monkeypatch):
    store = progress.default_store()
    store.record("01_deshaney", "why_joshua_lost", False, "a")  # under the login name
    assert store.attempts()[0].student == progress.login_name()
    box = hand_in()
    assert box.name_prompt is not None and "progress.csv" in box.message.value  # no name yet: asked here too
    box.name_prompt.text.value = "Zoë O'Brien"
    box.name_prompt.button.click()
    assert "handin-zoe-obrien.csv" in box.message.value and "Zoë O&#x27;Brien" in box.message.value
    store.record("01_deshaney", "why_joshua_lost", True, "b")
    said = box.write()
    assert said.startswith("Hand-in of Zoë O'Brien.") and "Wrote 2 answers" in said
    rows = list(csv.DictReader((fresh / "handin-zoe-obrien.csv").open(encoding="utf-8")))
    assert [(r["student"], r["named"]) for r in rows] == [("Zoë O'Brien", "yes")] * 2
    # the widgets find her earlier answer under her name
    assert set(progress.answer_history(store, "01_deshaney", "Zoë O'Brien")) == {"why_joshua_lost"}


def test_a_hand_in_without_a_name_says_so(fresh):
    store = ProgressStore(fresh / "other.sqlite3")
    store.record("01_deshaney", "why_joshua_lost", True, "b")
    said = write_hand_in(store=store)
    assert said.startswith("This hand-in has no name") and (fresh / "progress.csv").exists()
    rows = list(csv.DictReader((fresh / "progress.csv").open()))
    assert rows[0]["named"] == "no"


def test_a_name_that_cannot_be_saved_is_said_at_once(fresh, monkeypatch):
    monkeypatch.setattr(progress, "FOREGROUND_SECONDS", 0.1)
    store = ProgressStore(fresh / "locked.sqlite3", timeout=0.05, retries=1)
    monkeypatch.setattr(store, "_retry_in_background", lambda: False)
    store.record("01_deshaney", "q", True, "a", "x")
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        box = naming.name_prompt(store)
        box.text.value = "Jane Doe"
        box.button.click()
        assert "NOT saved" in box.message.value and "name" in box.message.value
        assert store.student() == "Jane Doe"  # used in this notebook meanwhile
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.record("01_deshaney", "q", True, "b").ok  # saved with the next answer
    assert ProgressStore(store.path).given_name() == "Jane Doe"


def test_in_the_browser_the_name_is_kept_in_the_browser_storage(tmp_path, monkeypatch):
    drive = tmp_path / "drive"
    drive.mkdir()
    monkeypatch.setattr(lite, "IN_BROWSER", True)
    monkeypatch.setattr(lite, "DRIVE", drive)
    monkeypatch.setattr(lite, "_seen", {"digest": None})
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.delenv(progress.STUDENT_ENV_VAR, raising=False)
    kernel_restart(monkeypatch, tmp_path, "lesson00")
    new_kernel(monkeypatch)
    assert progress.default_store().set_name("Jane Doe").ok
    kernel_restart(monkeypatch, tmp_path, "lesson01")  # another notebook: its own kernel and /tmp
    new_kernel(monkeypatch)
    assert progress.default_store().given_name() == "Jane Doe"
    assert naming.prompt_for(progress.default_store(), ("exercise", "01", "x")) is None


@pytest.mark.parametrize("name, slug", [("Jane Doe", "jane-doe"), ("Zoë O'Brien", "zoe-obrien"),
                                        ("../../etc/passwd", "etc-passwd"), ("  -- ", None), ("李雷", None)])
def test_the_hand_in_file_name_is_a_safe_slug(name, slug):
    got = progress.name_slug(name)
    assert got == slug if slug else got.startswith("student-") and len(got) == 16
    assert all(c.isalnum() or c == "-" for c in got)


def test_a_damaged_progress_file_keeps_the_name_when_it_is_salvaged(tmp_path, monkeypatch):
    monkeypatch.delenv(progress.STUDENT_ENV_VAR, raising=False)
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    assert store.set_name("Jane Doe").ok
    store._write([progress.Attempt("Jane Doe", "l", f"e{i}", True, "a" * 200, f"2026-01-01T00:00:{i:06d}")
                  for i in range(2000)])
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db, "r+b") as fh:  # a damaged page among the answers
        fh.seek(4096 * 40)
        fh.write(b"\xde\xad" * 2048)
    again = ProgressStore(db)
    assert again.record("l", "after", True, "b").ok  # the damaged file is salvaged into a fresh one
    assert list(tmp_path.glob("p.sqlite3.corrupt-*"))
    assert ProgressStore(db).given_name() == "Jane Doe"
