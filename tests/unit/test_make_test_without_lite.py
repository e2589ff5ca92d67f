"""`make test` on a machine without Python >= 3.12 (README: 3.10 is enough): the Lite build is
skipped with one line saying how to enable it, and the Lite browser test skips instead of failing.
Make runs dry (`-n`) or only the one-line target; nothing is installed or built."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MISSING = "/nonexistent/python3.12"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("lite_python", [MISSING, "", sys.executable if sys.version_info < (3, 12) else "/bin/false"])
def test_without_a_lite_python_make_test_skips_the_build_in_one_line(lite_python):
    plan = make("-n", "test", f"LITE_PYTHON={lite_python}")
    assert plan.returncode == 0, plan.stderr
    assert "lite/build.py" not in plan.stdout and ".venv-lite" not in plan.stdout
    assert "pytest tests notebooks" in plan.stdout  # the rest of the suite still runs
    done = make("lite-or-skip", f"LITE_PYTHON={lite_python}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    assert "skipped the Lite build and its browser test" in lines[0]
    assert "make test LITE_PYTHON=/path/to/python3.12" in lines[0]


def test_with_a_python_3_12_make_test_builds_the_site():
    found = sorted(Path("/root/.pyenv/versions").glob("3.12.*/bin/python3.12")) + \
        [Path(p) for p in filter(None, [shutil.which("python3.12"), shutil.which("python3.13")])]
    if not found:
        pytest.skip("no Python >= 3.12 on this machine")
    plan = make("-n", "test", f"LITE_PYTHON={found[0]}")
    assert plan.returncode == 0, plan.stderr
    assert "lite/build.py" in plan.stdout
    assert "skipped the Lite build" not in plan.stdout
    assert plan.stdout.index("lite/build.py") < plan.stdout.index("pytest tests notebooks")


def test_the_lite_browser_test_skips_when_the_site_is_not_built(tmp_path):
    env = dict(os.environ, DESHANEY_LITE_SITE=str(tmp_path / "no-site"))
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/browser/test_lite.py", "-p", "no:cacheprovider",
                           "-q", "-rs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "skipped" in done.stdout and "failed" not in done.stdout and "passed" not in done.stdout
    assert "make lite" in done.stdout
