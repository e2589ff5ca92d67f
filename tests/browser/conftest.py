"""Servers and a browser for the browser tests: started once per session, on 127.0.0.1.

JupyterLab and Voila run as subprocesses with every Jupyter directory and the progress
store in a temporary folder; Chromium is Debian's, driven by Python Playwright. A missing
Chromium fails the run: these tests never skip.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench.browser is shared with `python -m bench`
    sys.path.insert(0, str(ROOT))

from bench import browser as drive  # noqa: E402
from helpers.demo import free_port, lab_urls, start_voila, stop  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    return drive.isolated_env(tmp_path_factory.mktemp("jupyter-home"))


@pytest.fixture(scope="session")
def playwright_browser():
    try:
        drive.require_chromium()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = drive.launch(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def voila(server_env, artifacts):
    """Voila serving demo/ with the classroom template; yields the labs' URLs."""
    port = free_port()
    with open(artifacts / "voila.log", "wb") as log:
        proc = start_voila(port, env=server_env, log=log, pool_size=1)
        try:
            yield lab_urls(port)
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def jupyterlab(server_env, artifacts):
    """JupyterLab at the repository root; yields its port."""
    with open(artifacts / "jupyterlab.log", "wb") as log:
        proc, port = drive.start_lab(server_env, log)
        try:
            yield port
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def context(playwright_browser):
    ctx = playwright_browser.new_context(viewport=drive.VIEWPORT)
    ctx.set_default_timeout(60_000)
    yield ctx
    ctx.close()


def _page(context, errors: list[str]):
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


@pytest.fixture(scope="session")
def voila_circuit_lab(context, voila, artifacts):
    """The classroom page of the circuit lab, drawn."""
    errors: list[str] = []
    page = _page(context, errors)
    drive.open_voila(page, voila["circuit_lab"])
    drive.wait_chart(page)
    page.screenshot(path=str(artifacts / "voila-circuit-lab-opened.png"))
    yield page
    page.close()


@pytest.fixture(scope="session")
def jupyterlab_circuit_lab(context, jupyterlab, artifacts):
    """notebooks/05_circuit_lab.ipynb opened in JupyterLab with every cell run."""
    errors: list[str] = []
    page = _page(context, errors)
    drive.open_lab_notebook(page, jupyterlab, "notebooks/05_circuit_lab.ipynb")
    drive.wait_table(page)
    drive.wait_chart(page)  # the chart is drawn (its element can be there before its cells are)
    page.screenshot(path=str(artifacts / "jupyterlab-circuit-lab-opened.png"))
    tracebacks = drive.lab_errors(page)
    assert not tracebacks, f"notebooks/05_circuit_lab.ipynb raised in JupyterLab:\n{tracebacks[0]}"
    yield page
    page.close()
