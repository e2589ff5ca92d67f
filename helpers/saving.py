"""What Jupyter saves of a lesson: the notebook as it was handed out, never the student's outputs.

`clear_lesson_outputs` is a Jupyter server pre-save hook (`make lab` passes it with
`--ContentsManager.pre_save_hook=helpers.saving.clear_lesson_outputs`; on a hub, put
`c.ContentsManager.pre_save_hook = "helpers.saving.clear_lesson_outputs"` in the server's config).
For a lesson notebook (`NN_name.ipynb`) it drops every output and execution count and what running
adds to the metadata, and keeps the notebook metadata already on disk. So:

- a notebook reopens with no widget outputs, never "Error displaying widget: model not found"
  (JupyterLab saves widget views but not the widgets' state);
- a lesson that was only run saves byte for byte as it was committed (the repository keeps its
  notebooks in the form Jupyter writes), so `git pull` or nbgitpuller never meets a conflict
  the student did not make. Cells the student edits or adds are saved as she left them.

No other notebook is touched: a student's own notebooks keep their outputs. Standard library only.
"""
from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

#: A lesson notebook's file name: two digits, an underscore, a name (00_start_here.ipynb).
LESSON_NAME = re.compile(r"\d\d_[A-Za-z0-9_]+\.ipynb")
#: Cell metadata that running or viewing adds, never authored: dropped on save.
RUN_METADATA = ("execution", "scrolled", "collapsed")


def is_lesson(path: str) -> bool:
    return bool(LESSON_NAME.fullmatch(PurePosixPath(path).name))


def clear_lesson_outputs(model: dict, path: str = "", contents_manager: Any = None, **_: Any) -> None:
    """Pre-save hook: clear a lesson notebook's outputs in `model` (changed in place)."""
    if model.get("type") != "notebook" or not is_lesson(path):
        return
    nb = model.get("content") or {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in RUN_METADATA:
            cell.get("metadata", {}).pop(key, None)
    saved = _metadata_on_disk(contents_manager, path)
    if saved is not None:
        nb["metadata"] = saved  # the kernel's name and Python version as handed out, not this machine's


def _metadata_on_disk(contents_manager: Any, path: str) -> dict | None:
    """The notebook metadata in the file being replaced, read from disk (the server's contents manager
    may be asynchronous, and a hook runs synchronously), or None."""
    root = getattr(contents_manager, "root_dir", None)
    if not root:
        return None
    try:
        with open(Path(root, *PurePosixPath(path.lstrip("/")).parts), encoding="utf-8") as f:
            metadata = json.load(f).get("metadata")
    except (OSError, ValueError, AttributeError):  # a hook must never stop a save: keep the metadata as it is
        return None
    return metadata if isinstance(metadata, dict) else None
