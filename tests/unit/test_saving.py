"""Lessons are saved without the student's outputs: a run lesson reopens with no "model not found"
and saves byte for byte as committed (so `git pull` never conflicts); edits are kept; other
notebooks keep their outputs. Saved through Jupyter's own FileContentsManager with the hook that
`make lab` passes."""
from __future__ import annotations

import asyncio
import copy
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from asyncrun import run_in_own_loop

from helpers.saving import clear_lesson_outputs

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(nb) -> dict:
    """The notebook as JupyterLab sends it to be saved after Run All: outputs (a widget view among
    them), execution counts, the kernel's metadata, timing and scroll state in cells."""
    nb = copy.deepcopy(nb)
    for n, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "code":
            cell.execution_count = n
            cell.outputs = [nbformat.v4.new_output("display_data", data={
                WIDGET_VIEW: {"model_id": f"{n:032x}", "version_major": 2, "version_minor": 0},
                "text/plain": "VBox(...)"}), nbformat.v4.new_output("stream", text="hello\n")]
            cell.metadata["execution"] = {"iopub.status.idle": "2026-12-07T10:00:00Z"}
            cell.metadata["scrolled"] = True
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"}
    return {"type": "notebook", "format": "json", "content": nb}


class Manager:
    """Jupyter's file contents manager, sync or async (JupyterLab's server uses the async one), with
    the hook `make lab` passes; `save` runs either to the end."""

    def __init__(self, root: Path, asynchronous: bool):
        from jupyter_server.services.contents.filemanager import AsyncFileContentsManager, FileContentsManager

        self.inner = (AsyncFileContentsManager if asynchronous else FileContentsManager)(root_dir=str(root))
        self.inner.pre_save_hook = clear_lesson_outputs

    def save(self, model: dict, path: str):
        done = self.inner.save(model, path)
        return run_in_own_loop(lambda: done) if asyncio.iscoroutine(done) else done  # Playwright may hold this thread's loop


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def manager(tmp_path, request):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    return Manager(tmp_path, request.param)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_lesson_that_was_only_run_saves_as_committed(path, manager, tmp_path):
    api = f"notebooks/{path.name}"
    manager.save(run(nbformat.read(path, as_version=4)), api)
    saved = (tmp_path / api).read_bytes()
    assert WIDGET_VIEW.encode() not in saved and b'"execution_count": 1' not in saved
    assert saved == path.read_bytes()  # git sees no change


def test_a_students_edit_is_kept_and_only_outputs_go(manager, tmp_path):
    path = NOTEBOOKS[0]
    model = run(nbformat.read(path, as_version=4))
    model["content"].cells.append(nbformat.v4.new_markdown_cell("My note: Kennedy turns on the promise."))
    manager.save(model, f"notebooks/{path.name}")
    saved = nbformat.read(tmp_path / "notebooks" / path.name, as_version=4)
    assert saved.cells[-1].source == "My note: Kennedy turns on the promise."
    assert all(c.outputs == [] for c in saved.cells if c.cell_type == "code")
    assert saved.metadata == nbformat.read(path, as_version=4).metadata


def test_a_notebook_that_is_not_a_lesson_keeps_its_outputs(manager, tmp_path):
    model = run(nbformat.read(NOTEBOOKS[0], as_version=4))
    manager.save(model, "notebooks/my_own_work.ipynb")
    assert WIDGET_VIEW.encode() in (tmp_path / "notebooks" / "my_own_work.ipynb").read_bytes()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_lessons_are_in_the_form_jupyter_writes(path):
    """So a save changes no byte of a lesson the student only ran."""
    assert nbformat.writes(nbformat.read(path, as_version=4)) + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_passes_the_hook():
    from traitlets.utils.importstring import import_item

    plan = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    line = next(ln for ln in plan.splitlines() if "jupyter lab" in ln)
    hook = next(a.split("=", 1)[1] for a in line.split() if a.startswith("--ContentsManager.pre_save_hook="))
    assert import_item(hook) is clear_lesson_outputs


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_roots_the_file_browser_at_the_repository_and_opens_lesson_00(monkeypatch):
    """So the professor's guides in lessons/ can be opened from the file browser."""
    import shlex

    from jupyter_server.serverapp import ServerApp

    plan = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    argv = shlex.split(next(ln for ln in plan.splitlines() if "jupyter lab" in ln))
    args = argv[argv.index("lab") + 1:]
    monkeypatch.chdir(ROOT)  # make runs the command from the repository
    app = ServerApp()
    app.parse_command_line([a for a in args if not a.startswith("--ContentsManager.")])
    assert Path(app.root_dir).resolve() == ROOT.resolve()
    assert app._resolve_file_to_run_and_root_dir() == "notebooks/00_start_here.ipynb"
