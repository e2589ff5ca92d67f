"""The DeShaney Workbook's library: facts, the law as data, the engine, and the lessons.

    >>> from helpers import evaluate, compare, flips
    >>> evaluate({"circuit": "9th", "conduct_date": "1998-09-24", ...}).violation

The engine modules import neither ipywidgets nor plotly; the UI modules do.
"""
from .engine import Answer, Comparison, compare, evaluate, flips
from .facts import CIRCUITS, FactError, Facts, parse_facts
from .loading import DataError

__all__ = ["evaluate", "compare", "flips", "Answer", "Comparison", "Facts", "FactError", "DataError",
           "parse_facts", "CIRCUITS"]
