"""Run a coroutine on an event loop of its own, in a thread of its own.

Under `make test` the browser tests' Playwright (sync API) keeps an event loop running in the main
thread for the whole session, and `asyncio.run` refuses to start inside a running loop.
"""
import asyncio
import threading


def run_in_own_loop(make_coroutine):
    """`asyncio.run(make_coroutine())` in a fresh thread; re-raises what it raised."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
