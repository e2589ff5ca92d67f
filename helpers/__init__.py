"""The DeShaney Workbook's library: facts, the law as data, the engine, and the lessons.

    >>> from helpers import evaluate, compare, flips
    >>> evaluate({"circuit": "9th", "conduct_date": "1998-09-24", ...}).violation

The engine modules import neither ipywidgets nor plotly; the UI modules do.
"""
NO_MEMORY = "python -m helpers: not enough memory to start (close other programs, or raise the limit)"

try:
    from .engine import Answer, Comparison, compare, evaluate, flips
    from .facts import CIRCUITS, FactError, Facts, parse_facts
    from .loading import DataError
except MemoryError:
    import sys

    if sys.argv[:1] != ["-m"]:  # a library import: the caller's to handle
        raise
    # `python -m helpers` with too little memory to load the engine: one plain line, no traceback.
    print(NO_MEMORY, file=sys.stderr)
    raise SystemExit(2) from None

__all__ = ["evaluate", "compare", "flips", "Answer", "Comparison", "Facts", "FactError", "DataError",
           "parse_facts", "CIRCUITS"]
