"""The Lite site says Python is loading: lite/build.py adds a note to the page that opens
JupyterLab, shown from the first paint until a cell has run (tests/browser/test_lite.py watches it
come and go in Chromium)."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("lite_build", ROOT / "lite" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # stdlib only at import: the build's own tools load inside functions
    return module


APP = ('<html><head><script id="jupyter-config-data" type="application/json">{}</script>'
       '<link rel="preload" href="../build/lab/bundle.js"></head><body><div id="x"></div></body></html>')


def test_the_note_says_what_is_loading_and_how_long(build):
    page = build.add_loading_note(APP)
    assert "Loading Python and the workbook (about 20 seconds the first time)" in page
    assert page.count(f'id="{build.LOADING_ID}"') == 1 and page.index(build.LOADING_ID) < page.index("</body>")
    assert 'role="status"' in page  # read out by a screen reader too
    assert not re.findall(r"https?://", build.loading_note_html())  # nothing fetched from outside the site


def test_the_note_waits_for_a_numbered_prompt_and_then_goes(build):
    script = build.loading_note_html()
    assert ".jp-InputPrompt" in script and r"/\[\d+\]/" in script and "note.remove()" in script


def test_added_once_and_only_to_the_page_that_opens_jupyterlab(build, tmp_path):
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "index.html").write_text(APP)
    (tmp_path / "index.html").write_text("<html><body>redirect</body></html>")
    assert build.mark_loading(tmp_path) == [tmp_path / "lab" / "index.html"]
    once = (tmp_path / "lab" / "index.html").read_text()
    build.mark_loading(tmp_path)
    assert (tmp_path / "lab" / "index.html").read_text() == once
    assert build.LOADING_ID not in (tmp_path / "index.html").read_text()


def test_a_page_it_cannot_place_the_note_on_stops_the_build(build):
    with pytest.raises(ValueError, match="</body>"):
        build.add_loading_note("<html>no body</html>")
