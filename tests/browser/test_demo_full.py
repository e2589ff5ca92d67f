"""A full classroom demo says so on the page, and what to do: not a bare "503: Service Unavailable".

A Voila server of its own, bounded at one kernel, no pre-started kernel: the first page takes the
only place, the second gets the "demo is full" page. Screenshot: tests/browser/artifacts/demo-full.png.
"""
from __future__ import annotations

import pytest

from bench import browser as drive
from helpers.demo import free_port, lab_urls, start_voila, stop

pytestmark = pytest.mark.browser

CULL_AFTER, CULL_INTERVAL = 60, 15


@pytest.fixture(scope="module")
def full_demo(server_env, artifacts):
    port = free_port()
    with open(artifacts / "voila-full.log", "wb") as log:
        proc = start_voila(port, env=server_env, log=log, preheat=False, max_kernels=1,
                           cull_after=CULL_AFTER, cull_interval=CULL_INTERVAL)
        try:
            yield lab_urls(port)
        finally:
            stop(proc)


def test_a_page_beyond_the_bound_says_the_demo_is_full_and_what_to_do(playwright_browser, full_demo, artifacts):
    ctx = playwright_browser.new_context(viewport={"width": 1280, "height": 720})
    ctx.set_default_timeout(90_000)
    try:
        first = ctx.new_page()
        drive.open_voila(first, full_demo["circuit_lab"])  # takes the only place, and keeps it
        second = ctx.new_page()
        response = second.goto(full_demo["qi_lab"])
        assert response.status == 503
        text = second.locator("body").inner_text()
        second.screenshot(path=str(artifacts / "demo-full.png"))
        assert "Service Unavailable" not in text, text
        assert second.title() == "The demo is full"
        assert "The demo is full" in text
        wait = CULL_AFTER + CULL_INTERVAL
        assert f"Wait about {wait} seconds, then reload this page" in text, text
        assert "Ask the professor" in text and "JupyterLab" in text and "make lab" in text, text
        assert second.locator("a", has_text="Reload now").count() == 1
        # The page that holds the place still works.
        assert first.locator(drive.PROJECTOR).is_visible()
    finally:
        ctx.close()
