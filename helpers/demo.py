"""The classroom demo: the circuit lab and the qualified-immunity lab as clean Voila pages.

    python -m helpers.demo --port 8866

serves `demo/` on 127.0.0.1 with the `deshaney` template (large type, no code) and
prints one URL per lab. The browser tests and `python -m bench` start their servers
through the same functions, so what they measure is what a class sees.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "demo"
#: Holds voila/templates/deshaney; prepended to JUPYTER_PATH for the server.
TEMPLATE_ROOT = DEMO_DIR / "jupyter"
LABS = {"circuit_lab": "Circuit lab", "qi_lab": "Qualified-immunity lab"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    """Wait until something listens on 127.0.0.1:port. A GET would start a Voila kernel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s")


def server_env(base: dict | None = None) -> dict:
    """The environment for a Voila server: the demo template on JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def voila_argv(port: int, target: Path = DEMO_DIR, preheat: bool = True, pool_size: int = 1) -> list[str]:
    """The command line that serves `target` (a notebook or a folder) with Voila."""
    argv = [
        sys.executable, "-m", "voila", str(target), "--no-browser",
        f"--port={port}", "--Voila.ip=127.0.0.1", "--ServerApp.port_retries=0",
        "--template=deshaney", "--strip_sources=True", "--show_tracebacks=False",
    ]
    if preheat:
        # A kernel per notebook runs the lab before anyone asks: page to first answer
        # roughly halves (JUPYTER-NOTES.md). Each page opened takes one from the pool.
        argv += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    return argv


def lab_urls(port: int) -> dict[str, str]:
    return {name: f"http://127.0.0.1:{port}/voila/render/{name}.ipynb" for name in LABS}


def start_voila(port: int, *, target: Path = DEMO_DIR, preheat: bool = True, pool_size: int = 1,
                env: dict | None = None, log=None) -> subprocess.Popen:
    """Start Voila in its own process group; stop it with `stop`."""
    target = Path(target).resolve()
    proc = subprocess.Popen(
        voila_argv(port, target, preheat, pool_size), cwd=str(target if target.is_dir() else target.parent),
        env=server_env(env), stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port, proc)
    return proc


def _descendants(pid: int) -> list:
    try:
        import psutil  # comes with ipykernel

        return psutil.Process(pid).children(recursive=True)
    except Exception:  # noqa: BLE001 - gone already, or no psutil: nothing more to stop
        return []


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a server started here. SIGTERM lets Voila or JupyterLab shut their kernels down
    (each kernel runs in its own session); any kernel still alive after that is killed."""
    if proc.poll() is not None:
        return
    kernels = _descendants(proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)
    for child in kernels:
        try:
            child.wait(3)
        except Exception:  # noqa: BLE001 - psutil.TimeoutExpired or NoSuchProcess
            try:
                child.kill()
            except Exception:  # noqa: BLE001
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--pool-size", type=int, default=1,
                        help="pre-started kernels per lab (0 turns pre-heating off); each holds ~150 MB")
    args = parser.parse_args(argv)
    preheat = args.pool_size > 0
    proc = subprocess.Popen(voila_argv(args.port, DEMO_DIR, preheat, max(args.pool_size, 1)),
                            cwd=str(DEMO_DIR), env=server_env())
    # Ctrl-C reaches Voila too (same process group); SIGTERM (kill, timeout) is passed on.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        wait_for_port(args.port, proc)
        print("\nThe DeShaney Workbook, classroom demo (Ctrl-C to stop):")
        for name, url in lab_urls(args.port).items():
            print(f"  {LABS[name]:<24} {url}")
        print(flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(proc)


if __name__ == "__main__":
    sys.exit(main())
