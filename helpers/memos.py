"""Memos of fact patterns: registered so that `forget` can empty them all.

A memo here is an `lru_cache`d pure function keyed by whole `Facts` values (every field: the dates,
the forum, the options and the readings), or one that lives on the compiled law it reads, so it never
answers for other facts or other law. `forget` empties them (the compiled law stays): the bench
measures the engine as on first sight of the facts, and tests compare answers with memos warm and
emptied (tests/unit/test_memos.py).
"""
from __future__ import annotations

import weakref
from typing import Any

_MEMOS: "weakref.WeakSet" = weakref.WeakSet()


def remember(cached: Any) -> Any:
    """Register a memo (an `lru_cache`d function of fact patterns) so `forget` can empty it."""
    _MEMOS.add(cached)
    return cached


def forget() -> None:
    """Empty every memo of fact patterns (the compiled law stays)."""
    for cached in list(_MEMOS):
        cached.cache_clear()

