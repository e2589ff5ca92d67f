"""Execute every notebook in notebooks/ with nbclient, in a fresh kernel each, and time it."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from helpers.demo import ROOT

NOTEBOOKS = ROOT / "notebooks"


def run_notebooks(timeout: int = 300) -> dict:
    import nbformat
    from nbclient import NotebookClient

    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    per: dict[str, float] = {}
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="deshaney-bench-") as tmp:
        saved = os.environ.get("DESHANEY_PROGRESS_DB")
        os.environ["DESHANEY_PROGRESS_DB"] = str(Path(tmp) / "progress.sqlite3")  # the kernels inherit it
        try:
            t_all = time.perf_counter()
            for path in paths:
                nb = nbformat.read(path, as_version=4)
                client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                        resources={"metadata": {"path": str(NOTEBOOKS)}})
                t0 = time.perf_counter()
                try:
                    client.execute()
                except Exception as exc:  # noqa: BLE001 - a failing notebook is reported, not fatal to the bench
                    failed[path.name] = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else repr(exc)
                per[path.name] = time.perf_counter() - t0
            total = time.perf_counter() - t_all
        finally:
            if saved is None:
                os.environ.pop("DESHANEY_PROGRESS_DB", None)
            else:
                os.environ["DESHANEY_PROGRESS_DB"] = saved
    return {"notebooks_total_s": total, "notebooks_count": len(paths), "notebooks_s": per, "notebooks_failed": failed}
