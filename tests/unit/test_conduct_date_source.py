"""Every conduct date says how it was known (issue 19): read in an opinion, taken from a summary,
or estimated; the loader refuses a date without its source, and a source without a date."""

import pytest

from helpers import law as law_module
from helpers.fidelity import report
from helpers.loading import DataError

LAW = law_module.law()


def test_every_conduct_date_has_a_source_and_no_source_stands_alone():
    for p in LAW.precedents.values():
        assert (p.conduct is None) == (p.conduct_date_source is None), p.id
        assert p.conduct_date_source in (None, *law_module.CONDUCT_DATE_SOURCES)


def test_a_date_known_only_by_convention_is_not_called_read():
    # dates whose notes say the day was not seen or stands for a month or a year are estimates
    for p in LAW.precedents.values():
        note = (p.verification_note or "").lower()
        if p.conduct and any(s in note for s in ("day not seen", "day not given", "day not verified",
                                                 "stands for the year", "first of the month")):
            assert p.conduct_date_source == "estimate", p.id


def test_the_fidelity_report_says_how_the_measured_conduct_dates_were_known():
    r = report()
    counts = r.conduct_date_sources()
    assert set(counts) <= set(law_module.CONDUCT_DATE_SOURCES) and sum(counts.values()) >= 60
    assert "Conduct dates of the measured prong-two holdings: " in r.text()


KENNEDY = "    conduct: 1998-09-24\n    conduct_date_source: opinion\n"


@pytest.mark.parametrize("new, needle", [
    ("    conduct: 1998-09-24\n    conduct_date_source: hearsay\n", "'hearsay' is not allowed; allowed: opinion, summary, estimate"),
    ("    conduct: 1998-09-24\n", "has a conduct date but no conduct_date_source; allowed: opinion, summary, estimate"),
    ("    conduct: null\n    conduct_date_source: opinion\n", "gives conduct_date_source 'opinion' but no conduct date"),
])
def test_the_loader_refuses_a_bad_conduct_date_source_with_file_and_line(data_copy, new, needle):
    path = data_copy / "precedents/ca9.yaml"
    text = path.read_text()
    start = text.index("  - id: kennedy_v_ridgefield_2006")
    assert KENNEDY in text[start:]
    at = text.index(KENNEDY, start)
    path.write_text(text[:at] + new + text[at + len(KENNEDY):])
    with pytest.raises(DataError) as err:
        law_module.law.__wrapped__()
    assert needle in str(err.value) and "precedents/ca9.yaml:" in str(err.value)
