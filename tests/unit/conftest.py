"""Fixtures shared by the unit tests."""
import shutil

import pytest

from helpers import law as law_module


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that the law loader reads, for tests that break a data file."""
    target = tmp_path / "data"
    shutil.copytree(law_module.DATA_DIR, target)
    monkeypatch.setattr(law_module, "DATA_DIR", target)
    return target
