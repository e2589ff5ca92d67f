"""pytest imports test modules by basename (rootdir-relative, no packages): two test files with
one name in different folders break collection on a fresh clone."""
from collections import Counter
from pathlib import Path


def test_test_file_names_are_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [n for n, k in names.items() if k > 1] == []
