"""Build the workbook as a JupyterLite site in lite/_output (run by `make lite`).

Everything the site needs comes from PyPI and npm, is kept in lite/.cache, and is served
from the site itself: no address outside the site is ever requested by the browser.

  1. the Pyodide core from the npm package `pyodide` (at the version the kernel expects),
     with its lock's package list emptied, so nothing points at a CDN;
  2. pure-Python wheels from PyPI for the kernel's and the workbook's packages;
  3. PyYAML as a pure-Python wheel built from its sdist (no WebAssembly wheel is on PyPI);
  4. the workbook itself as a wheel (helpers, data, lessons) that declares what `helpers`
     imports in the browser, so the kernel loads them (pandas is not among them);
  5. `jupyter lite build` with uv offline, under `unshare -n` where allowed (no network at all);
  6. a note on the page, "Loading Python and the workbook...", from the first paint until a
     cell has run (Python takes about 20 s to load the first time, and nothing else says so);
  7. a check that no address outside the site remains where the browser would fetch one.

Run with the build environment's Python (>= 3.12): .venv-lite/bin/python lite/build.py
"""
from __future__ import annotations

import base64
import hashlib
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

LITE = Path(__file__).resolve().parent
ROOT = LITE.parent
CACHE = LITE / ".cache"
STAGE = LITE / ".stage"
OUTPUT = LITE / "_output"
WHEELHOUSE = CACHE / "wheelhouse"
BIN = Path(sys.executable).parent

PYYAML_VERSION = "6.0.3"
#: What the kernel and the workbook's helpers import in the browser (pandas is not here:
#: no WebAssembly wheel of it is reachable; helpers render tables as HTML without it).
WORKBOOK_REQUIRES = ["pyyaml", "plotly", "anywidget", "ipywidgets", "platformdirs"]
#: Pinned to the versions in the build environment, whose lab extensions the site ships.
PINNED_TO_BUILD_ENV = ["ipywidgets", "anywidget", "plotly", "jupyterlab_widgets", "widgetsnbextension"]
KERNEL_SPECS = ["micropip", "packaging", "comm", "ipython", "jedi", "platformdirs"]
CONTENTS = ["notebooks", "helpers", "data", "lessons"]


def say(msg: str) -> None:
    print(f"[lite] {msg}", flush=True)


def run(argv: list[str], **kw) -> None:
    subprocess.run(argv, check=True, **kw)


# --- 1. Pyodide from npm -----------------------------------------------------------------

def pyodide_version() -> str:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    return PYODIDE_VERSION


def fetch_pyodide(dest: Path) -> None:
    version = pyodide_version()
    tgz = CACHE / f"pyodide-{version}.tgz"
    if not tgz.exists():
        if not shutil.which("npm"):
            sys.exit("lite: npm is needed to fetch the Pyodide core (apt-get install npm)")
        say(f"npm pack pyodide@{version}")
        run(["npm", "pack", f"pyodide@{version}", "--pack-destination", str(CACHE)],
            stdout=subprocess.DEVNULL)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if not member.isfile() or "/" in name:
                continue
            # no source maps, type stubs, demo consoles or readme: only what the kernel loads
            if name.endswith((".map", ".d.ts", ".html", ".md")):
                continue
            with tar.extractfile(member) as src:
                (dest / name).write_bytes(src.read())
    lock = dest / "pyodide-lock.json"
    data = json.loads(lock.read_text())
    data["packages"] = {}  # it lists 356 packages and ships none: each would be a CDN address
    lock.write_text(json.dumps(data))
    # Pyodide's default indexURL is a CDN; JupyterLite always passes its own, but leave no address.
    for entry in ("pyodide.mjs", "pyodide.js"):
        path = dest / entry
        text = re.sub(r"https://cdn\.jsdelivr\.net/pyodide/v\$\{\w+\}/full/", "./", path.read_text())
        if "cdn.jsdelivr.net" in text:
            sys.exit(f"lite: {entry} still names the Pyodide CDN: update lite/build.py")
        path.write_text(text)


# --- 2. wheels from PyPI -----------------------------------------------------------------

def fetch_wheels() -> None:
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    specs = [f"{n}=={md.version(n)}" for n in PINNED_TO_BUILD_ENV]
    specs += [s for s in KERNEL_SPECS + WORKBOOK_REQUIRES if s not in ("pyyaml",)]
    stamp = WHEELHOUSE / ".specs"
    if stamp.exists() and stamp.read_text() == "\n".join(specs):
        return
    say("pip download (pure-Python wheels for Python 3.14)")
    run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "-d", str(WHEELHOUSE), "--only-binary=:all:", "--platform", "any", "--python-version", "3.14",
         "--implementation", "py", "--abi", "none", *specs])
    stamp.write_text("\n".join(specs))


# --- 3 and 4. wheels we make -------------------------------------------------------------

def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def write_wheel(dest_dir: Path, name: str, version: str, files: dict[str, bytes],
                requires: list[str], top_level: list[str], summary: str) -> Path:
    """A py3-none-any wheel, written byte for byte the same for the same input."""
    dist = re.sub(r"[-_.]+", "_", name).lower()
    info = f"{dist}-{version}.dist-info"
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files = dict(sorted(files.items()))
    files[f"{info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: deshaney-lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/top_level.txt"] = ("\n".join(top_level) + "\n").encode()
    record = [_record_line(k, v) for k, v in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in files.items():
            zi = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    return path


def pyyaml_wheel(dest_dir: Path) -> Path:
    sdist_dir = CACHE / "sdist"
    sdists = sorted(sdist_dir.glob(f"[pP]y[yY][aA][mM][lL]-{PYYAML_VERSION}.tar.gz"))
    if not sdists:
        say(f"pip download pyyaml=={PYYAML_VERSION} (sdist)")
        run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", "-d", str(sdist_dir), f"pyyaml=={PYYAML_VERSION}"])
        sdists = sorted(sdist_dir.glob(f"[pP]y[yY][aA][mM][lL]-{PYYAML_VERSION}.tar.gz"))
    files: dict[str, bytes] = {}
    with tarfile.open(sdists[0]) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if member.isfile() and parts[1:3] == ["lib", "yaml"] and member.name.endswith(".py"):
                files["yaml/" + "/".join(parts[3:])] = tar.extractfile(member).read()
    if "yaml/__init__.py" not in files:
        sys.exit(f"lite: no lib/yaml in {sdists[0]}")
    return write_wheel(dest_dir, "PyYAML", PYYAML_VERSION, files, [], ["yaml"],
                       "YAML parser (pure Python, built from the sdist for the browser)")


def workbook_wheel(dest_dir: Path) -> Path:
    """helpers, data and lessons, laid out as the repository is (helpers finds ../data)."""
    files: dict[str, bytes] = {}
    for folder in ("helpers", "data", "lessons"):
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in rel.parts and not path.name.endswith(".pyc"):
                files[rel.as_posix()] = path.read_bytes()
    version = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    return write_wheel(dest_dir, "deshaney-workbook", version, files, WORKBOOK_REQUIRES, ["helpers"],
                       "The DeShaney Workbook's helpers, law data and lessons, for the browser")


# --- 5. the site -------------------------------------------------------------------------

def stage() -> None:
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir(parents=True)
    for name in ("jupyter_lite_config.json", "jupyter-lite.json", "overrides.json"):
        shutil.copy2(LITE / name, STAGE / name)
    files = STAGE / "files"
    for folder in CONTENTS:
        src = ROOT / folder
        if not src.is_dir():
            sys.exit(f"lite: {src} is missing")
        shutil.copytree(src, files / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    fetch_pyodide(STAGE / "static" / "pyodide")
    fetch_wheels()
    wheels = STAGE / "wheels"
    wheels.mkdir()
    pyyaml_wheel(wheels)
    workbook_wheel(wheels)


def no_network_prefix() -> list[str]:
    """`unshare -n` (a network namespace with no interfaces) where the user may create one."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def build() -> None:
    shutil.rmtree(OUTPUT, ignore_errors=True)
    prefix = no_network_prefix()
    uv_args = ["--offline", "--no-index", f"--find-links={WHEELHOUSE}", f"--find-links={STAGE / 'wheels'}"]
    config = json.loads((STAGE / "jupyter_lite_config.json").read_text())
    config.setdefault("PyodideLockAddon", {}).setdefault("pyodide_lock_uv_options", {})["extra_uv_args"] = uv_args
    (STAGE / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1))
    env = dict(os.environ, UV_OFFLINE="1", UV_NO_CACHE="1", PIP_NO_INDEX="1")
    say("jupyter lite build" + (" (no network: unshare -n)" if prefix else " (uv offline)"))
    run([*prefix, str(BIN / "jupyter"), "lite", "build", "--lite-dir", str(STAGE),
         "--output-dir", str(OUTPUT)], cwd=STAGE, env=env)
    (OUTPUT / ".nojekyll").write_text("")  # GitHub Pages: serve folders starting with _ as is


# --- 6. the loading note ---------------------------------------------------------------

#: What a student sees while Pyodide and the workbook load (8-20 s on a first visit, measured
#: on two cores); JupyterLab itself shows only a "[*]" beside a cell that is waiting.
LOADING_NOTE = "Loading Python and the workbook (about 20 seconds the first time)\u2026"
LOADING_HINT = "When the bar at the bottom says Idle, run the first cell; this note goes away once it has run."
LOADING_ID = "deshaney-python-loading"
#: Shown while a lesson is open (or asked for in the address) and no cell has a number yet; at the
#: bottom, clear of the menu and the notebook toolbar's run button.
_LOADING_SCRIPT = """(function () {
  var note = document.getElementById('%(id)s');
  var asked = /[?&]path=[^&]*\\.ipynb/.test(window.location.search);
  function ran() {
    var prompts = document.querySelectorAll('.jp-InputPrompt');
    for (var i = 0; i < prompts.length; i++) if (/\\[\\d+\\]/.test(prompts[i].textContent)) return true;
    return false;
  }
  function tick() {
    if (ran()) { note.remove(); return; }
    note.style.display = (asked || document.querySelector('.jp-NotebookPanel')) ? 'block' : 'none';
    setTimeout(tick, 300);
  }
  tick();
})();"""


def loading_note_html() -> str:
    style = ("position:fixed;bottom:36px;left:50%;transform:translateX(-50%);z-index:100001;max-width:90vw;"
             "background:#fff3cd;color:#3d2b00;border:2px solid #8a6d3b;"
             "border-radius:8px;padding:8px 18px;font:16px/1.4 system-ui,sans-serif;"
             "box-shadow:0 2px 8px rgba(0,0,0,.25);text-align:center;display:none")
    return (f'<div id="{LOADING_ID}" role="status" aria-live="polite" style="{style}">'
            f"<b>{LOADING_NOTE}</b><br><small>{LOADING_HINT}</small></div>\n"
            f"<script>{_LOADING_SCRIPT % {'id': LOADING_ID}}</script>\n")


def add_loading_note(page: str) -> str:
    """The app page with the loading note before </body>, once (a second call changes nothing)."""
    if LOADING_ID in page:
        return page
    if page.count("</body>") != 1:
        raise ValueError("lite: an app page without exactly one </body>: update lite/build.py")
    return page.replace("</body>", loading_note_html() + "</body>")


def mark_loading(output: Path) -> list[Path]:
    """Add the note to every page that opens JupyterLab (those carrying jupyter-config-data)."""
    pages = [p for p in sorted(output.rglob("index.html"))
             if all(mark in p.read_text(encoding="utf-8") for mark in ("jupyter-config-data", "bundle.js"))]
    for page in pages:
        page.write_text(add_loading_note(page.read_text(encoding="utf-8")), encoding="utf-8")
    return pages


# --- 7. no address outside the site ------------------------------------------------------

#: Addresses that are text, not requests: XML namespaces, licences, documentation links in
#: messages, and the schema ids of settings; the browser test proves none is fetched.
_TEXT_ONLY = re.compile(
    r"^https?://(www\.w3\.org|www\.apache\.org|opensource\.org|json-schema\.org|github\.com|"
    r"jupyter\.org|[\w.-]*readthedocs\.io|[\w.-]*jupyter\.org|developer\.mozilla\.org|"
    r"reactjs\.org|react\.dev|fb\.me|mathjax\.org|docs\.mathjax\.org|xmlns\.com|purl\.org|"
    r"ns\.adobe\.com|tc39\.es|unicode\.org|www\.unicode\.org|datatracker\.ietf\.org|tools\.ietf\.org)")


def check_addresses() -> None:
    """Fail if the site's configuration or lock points outside; list the rest, by host."""
    problems = []
    lock = json.loads((OUTPUT / "static" / "pyodide-lock" / "pyodide-lock.json").read_text())
    for name, pkg in lock["packages"].items():
        if re.match(r"^[a-z]+://", pkg["file_name"]):
            problems.append(f"pyodide-lock.json: {name} -> {pkg['file_name']}")
        elif not (OUTPUT / "static" / "pyodide-lock" / pkg["file_name"]).resolve().is_file():
            problems.append(f"pyodide-lock.json: {name} -> {pkg['file_name']} (missing)")
    for cfg in OUTPUT.rglob("jupyter-lite.json"):
        for url in re.findall(r"https?://[^\"'\s]+", cfg.read_text()):
            problems.append(f"{cfg.relative_to(OUTPUT)}: {url}")
    hosts: dict[str, int] = {}
    for path in OUTPUT.rglob("*"):
        if path.is_file() and path.suffix in (".js", ".mjs", ".json", ".html", ".css"):
            for url in re.findall(r"https?://[\w.-]+", path.read_text(errors="replace")):
                if not _TEXT_ONLY.match(url):
                    hosts[url] = hosts.get(url, 0) + 1
    if problems:
        sys.exit("lite: addresses outside the site:\n  " + "\n  ".join(problems))
    (STAGE / "external-addresses.txt").write_text(
        "# Hosts named in the site's code (text in bundles, not requests: the browser test\n"
        "# blocks and counts every request outside 127.0.0.1 and requires none)\n"
        + "".join(f"{n:6d} {h}\n" for h, n in sorted(hosts.items(), key=lambda kv: -kv[1])))


def main() -> None:
    t0 = time.monotonic()
    CACHE.mkdir(exist_ok=True)
    stage()
    t1 = time.monotonic()
    build()
    say("loading note on " + ", ".join(str(p.relative_to(OUTPUT)) for p in mark_loading(OUTPUT)))
    check_addresses()
    size = sum(p.stat().st_size for p in OUTPUT.rglob("*") if p.is_file())
    lock = json.loads((OUTPUT / "static" / "pyodide-lock" / "pyodide-lock.json").read_text())
    say(f"built {OUTPUT.relative_to(ROOT)}: {size / 1e6:.0f} MB, {len(lock['packages'])} wheels, "
        f"staged in {t1 - t0:.0f} s, built in {time.monotonic() - t1:.0f} s")
    say(f"hosts named in its code (text, never requested): {(STAGE / 'external-addresses.txt').relative_to(ROOT)}")
    say("serve it: python3 -m http.server 8000 --bind 127.0.0.1 -d lite/_output")


if __name__ == "__main__":
    main()
