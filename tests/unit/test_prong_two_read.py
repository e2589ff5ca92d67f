"""How a court's clearly-established reasoning was seen is recorded (issue 19): `prong_two.read` is
passage (the passage itself, with its pin), opening or summary; the loader refuses a passage without
a pin and an unknown value, naming the file and line, and the fidelity report counts them."""

import re

import pytest

from helpers import law as law_module
from helpers.fidelity import report
from helpers.loading import DataError

PIN = '      pin: "1065-67"\n'


def _kennedy_prong_two(data_copy):
    path = data_copy / "precedents/ca9.yaml"
    text = path.read_text()
    start = text.index("  - id: kennedy_v_ridgefield_2006")
    at = text.index("    prong_two:\n", start) + len("    prong_two:\n")
    # the block's own `read:` line, if any, is taken out: each test writes its own
    end = text.index("\n  - id: ", at) if "\n  - id: " in text[at:] else len(text)
    block = re.sub(r"(?m)^      read: .*\n", "", text[at:end])
    return path, text[:at] + block + text[end:], at


@pytest.mark.parametrize("new, needle", [
    ("      read: glanced\n", "'glanced' is not allowed; allowed: passage, opening, summary"),
    ("      read: passage\n", "read: passage needs the passage's pin"),
])
def test_the_loader_refuses_a_bad_read_with_file_and_line(data_copy, new, needle):
    path, text, at = _kennedy_prong_two(data_copy)
    assert PIN in text[at:]
    pin = text.index(PIN, at)
    text = text[:pin] + text[pin + len(PIN):]  # no pin
    path.write_text(text[:at] + new + text[at:])
    with pytest.raises(DataError) as err:
        law_module.law.__wrapped__()
    assert needle in str(err.value) and "precedents/ca9.yaml:" in str(err.value)


def test_a_passage_with_its_pin_loads(data_copy):
    path, text, at = _kennedy_prong_two(data_copy)
    path.write_text(text[:at] + "      read: passage\n" + text[at:])
    p = law_module.law.__wrapped__().precedents["kennedy_v_ridgefield_2006"]
    assert p.prong_two["read"] == "passage" and p.prong_two["pin"] == "1065-67"


def test_the_fidelity_report_counts_how_the_reasoning_was_read():
    r = report()
    read = r.prong_two_read()
    measured = sum(1 for o in r.majority if o.prong == "clearly_established")
    assert sum(read.get(k, 0) for k in ("passage", "opening", "summary", "not recorded")) == measured
    assert f"Their reasoning on prong two was read: passage {read.get('passage', 0)}" in r.text()
