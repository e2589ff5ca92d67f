"""The classroom demo: the circuit lab and the qualified-immunity lab as clean Voila pages.

    python -m helpers.demo --port 8866

serves `demo/` on 127.0.0.1 with the `deshaney` template (large type, no code) and
prints one URL per lab. The browser tests and `python -m bench` start their servers
through the same functions, so what they measure is what a class sees.

A server that holds a class: a kernel whose page has closed (or lost its connection) is
shut down after `--cull-after` seconds idle (Jupyter's culling: `cull_connected` stays off,
so an open page is never culled); pre-started kernels are never culled; and no more than
`--max-kernels` run at once (a page beyond that gets "the demo is full" instead of a
kernel that would push the machine into swap).
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
#: The case the circuit lab opens on (demo/circuit_lab.ipynb): a real case's facts, on which the circuits
#: split, rather than the all-defaults pattern in which every circuit says "no".
DEMO_CASE = "kennedy_v_ridgefield_2006"
#: Culling and the bound, as `make demo` runs them (see docs/teaching-at-scale.md).
CULL_AFTER_S = 120
CULL_INTERVAL_S = 30
MAX_KERNELS = 12


def full_message(running: int, bound: int, wait_s: int) -> str:
    """What a page beyond the bound says (the server log says it too): that the demo is full, and
    what to do. `wait_s`: how long a closed page's kernel may live on (0: culling is off)."""
    wait = (f"Wait about {wait_s} seconds and reload this page: a closed page's kernel is shut down "
            f"within {wait_s} seconds." if wait_s else
            "Closed pages' kernels are not shut down on this server, so waiting will not help.")
    return (f"The demo is full: {running} of its {bound} kernels are running (one per open page, and "
            f"the ones waiting for the next page). {wait} "
            "Or ask the professor to close a page or raise --max-kernels, or open the workbook "
            "itself in JupyterLab (make lab, notebooks/05_circuit_lab.ipynb) or the browser version.")


def _bounded_kernel_manager():
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado import web
    from traitlets import Int

    class DemoFull(web.HTTPError):
        """A 503 whose page (demo/jupyter/voila/templates/deshaney/503.html) says what to do."""

        def __init__(self, running: int, bound: int, wait_s: int):
            super().__init__(503, "%s", full_message(running, bound, wait_s), reason="The demo is full")
            self.running, self.bound, self.wait_s = running, bound, wait_s

    class BoundedKernelManager(AsyncMappingKernelManager):
        """Jupyter's kernel manager with a bound on running kernels (0: none)."""

        max_kernels = Int(0, config=True, help="Refuse to start a kernel beyond this many (0: no bound).")

        def full_wait_s(self) -> int:
            """Seconds until a closed page's kernel is culled, at worst (0: culling is off)."""
            timeout = int(self.cull_idle_timeout or 0)
            return timeout + int(self.cull_interval or 0) if timeout > 0 else 0

        async def start_kernel(self, *args, **kwargs):
            running = len(self.list_kernel_ids())
            if self.max_kernels and kwargs.get("kernel_id") is None and running >= self.max_kernels:
                raise DemoFull(running, self.max_kernels, self.full_wait_s())
            return await super().start_kernel(*args, **kwargs)

    BoundedKernelManager.DemoFull = DemoFull
    return BoundedKernelManager


def __getattr__(name):  # the class is built on first use: `python -m helpers.demo` stays light
    if name == "BoundedKernelManager":
        cls = _bounded_kernel_manager()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


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


def voila_argv(port: int, target: Path = DEMO_DIR, preheat: bool = True, pool_size: int = 1,
               cull_after: float = CULL_AFTER_S, cull_interval: float = CULL_INTERVAL_S,
               max_kernels: int = MAX_KERNELS) -> list[str]:
    """The command line that serves `target` (a notebook or a folder) with Voila.
    `cull_after=0` turns culling off; `max_kernels=0` removes the bound."""
    argv = [
        sys.executable, "-m", "voila", str(target), "--no-browser",
        f"--port={port}", "--Voila.ip=127.0.0.1", "--ServerApp.port_retries=0",
        "--template=deshaney", "--strip_sources=True", "--show_tracebacks=False",
        "--VoilaConfiguration.multi_kernel_manager_class=helpers.demo.BoundedKernelManager",
        f"--BoundedKernelManager.max_kernels={max_kernels}",
        # plotly's JupyterLab renderer (4.7 MB) is not used here: the labs' charts are FigureWidgets,
        # which bring their own code.
        "--VoilaConfiguration.extension_denylist=jupyterlab-plotly",
    ]
    if cull_after:
        argv += [f"--MappingKernelManager.cull_idle_timeout={int(cull_after)}",
                 f"--MappingKernelManager.cull_interval={max(1, int(cull_interval))}",
                 "--MappingKernelManager.cull_connected=False"]
    if preheat:
        # A kernel per notebook runs the lab before anyone asks: page to first answer
        # roughly halves (JUPYTER-NOTES.md). Each page opened takes one from the pool.
        argv += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    return argv


def lab_urls(port: int) -> dict[str, str]:
    return {name: f"http://127.0.0.1:{port}/voila/render/{name}.ipynb" for name in LABS}


def start_voila(port: int, *, target: Path = DEMO_DIR, preheat: bool = True, pool_size: int = 1,
                env: dict | None = None, log=None, **server) -> subprocess.Popen:
    """Start Voila in its own process group; stop it with `stop`. `server`: voila_argv's
    cull_after, cull_interval, max_kernels."""
    target = Path(target).resolve()
    proc = subprocess.Popen(
        voila_argv(port, target, preheat, pool_size, **server), cwd=str(target if target.is_dir() else target.parent),
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
    parser.add_argument("--cull-after", type=int, default=CULL_AFTER_S,
                        help="seconds a closed page's kernel may stay idle before it is shut down (0: never)")
    parser.add_argument("--max-kernels", type=int, default=MAX_KERNELS,
                        help="bound on running kernels, pre-started ones included (0: no bound)")
    args = parser.parse_args(argv)
    preheat = args.pool_size > 0
    proc = subprocess.Popen(voila_argv(args.port, DEMO_DIR, preheat, max(args.pool_size, 1),
                                       cull_after=args.cull_after,
                                       cull_interval=min(CULL_INTERVAL_S, max(1, args.cull_after // 4)),
                                       max_kernels=args.max_kernels),
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
