"""Execute every notebook in notebooks/ with nbclient, in a fresh kernel each, and time it: the
kernel's start, and each cell (the slowest are named in the results, so the time can be found)."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from helpers.demo import ROOT

NOTEBOOKS = ROOT / "notebooks"


def _first_line(cell) -> str:
    return next((ln.strip() for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")), "")[:60]


def run_notebooks(timeout: int = 300, slowest: int = 8) -> dict:
    import nbformat
    from nbclient import NotebookClient

    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    per: dict[str, float] = {}
    kernel_start: dict[str, float] = {}
    kernel_stop: dict[str, float] = {}
    cells: list[tuple[float, str]] = []
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="deshaney-bench-") as tmp:
        saved = {var: os.environ.get(var) for var in ("DESHANEY_PROGRESS_DB", "PYTHONPATH")}
        os.environ["DESHANEY_PROGRESS_DB"] = str(Path(tmp) / "progress.sqlite3")  # the kernels inherit it
        # ...and import this checkout's helpers, not another copy installed in the environment.
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), saved["PYTHONPATH"]) if p)
        try:
            t_all = time.perf_counter()
            for path in paths:
                nb = nbformat.read(path, as_version=4)
                # The kernel is stopped at once when its notebook is done (a graceful stop waits
                # seconds for a kernel nobody uses any more: no student waits for that).
                client = NotebookClient(nb, timeout=timeout, kernel_name="python3", shutdown_kernel="immediate",
                                        resources={"metadata": {"path": str(NOTEBOOKS)}})
                t0 = time.perf_counter()
                try:
                    with client.setup_kernel():
                        kernel_start[path.name] = time.perf_counter() - t0
                        for index, cell in enumerate(nb.cells):
                            if cell.cell_type != "code":
                                continue
                            tc = time.perf_counter()
                            client.execute_cell(cell, index)
                            cells.append((time.perf_counter() - tc, f"{path.stem} cell {index}: {_first_line(cell)}"))
                        t_stop = time.perf_counter()
                    kernel_stop[path.name] = time.perf_counter() - t_stop
                except Exception as exc:  # noqa: BLE001 - a failing notebook is reported, not fatal to the bench
                    failed[path.name] = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else repr(exc)
                per[path.name] = time.perf_counter() - t0
            total = time.perf_counter() - t_all
        finally:
            for var, value in saved.items():
                if value is None:
                    os.environ.pop(var, None)
                else:
                    os.environ[var] = value
    cells.sort(reverse=True)
    return {"notebooks_total_s": total, "notebooks_count": len(paths),
            "notebooks_kernel_start_s": sum(kernel_start.values()),
            "notebooks_kernel_stop_s": sum(kernel_stop.values()),
            "notebooks_cells_s": sum(t for t, _ in cells),
            "notebooks_s": per, "notebooks_slowest_cells_s": {name: round(t, 2) for t, name in cells[:slowest]},
            "notebooks_failed": failed}
