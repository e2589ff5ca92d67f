"""The strict loader: a mistake in a data file names the file and the line."""

import pytest

from helpers import law as law_module
from helpers.loading import DataError, load_yaml_text


def test_duplicate_key_names_the_line():
    with pytest.raises(DataError) as err:
        load_yaml_text("a: 1\nb: 2\na: 3\n", "data/x.yaml")
    assert "data/x.yaml:3: duplicate key 'a' (first at line 1)" in str(err.value)


def test_malformed_yaml_names_the_line():
    with pytest.raises(DataError) as err:
        load_yaml_text("a: [1, 2\nb: 3\n", "data/x.yaml")
    assert str(err.value).startswith("data/x.yaml:")


def test_dates_stay_strings_so_non_iso_dates_can_be_refused():
    assert load_yaml_text("d: 2006-3-7\n", "x") == {"d": "2006-3-7"}


def _load():
    return law_module.law.__wrapped__()


@pytest.mark.parametrize("file, old, new, needle", [
    ("circuits/ca9.yaml", "    - from: 1996-08-09\n      authority: {case: l_w_v_grubbs_1996, pin: \"900\"}\n      narrows: true",
     "    - from: 1996-8-9\n      authority: {case: l_w_v_grubbs_1996, pin: \"900\"}\n      narrows: true", "not an ISO date"),
    ("circuits/ca9.yaml", "name: Ninth Circuit\n", "name: Ninth Circuit\nnickname: the Ninth\n", "unknown key 'nickname'"),
    ("circuits/ca9.yaml", "name: Ninth Circuit\n", "name: Ninth Circuit\nname: Again\n", "duplicate key 'name'"),
    ("circuits/ca9.yaml", "rule: {fact: harm_foreseeable, is: true}", "rule: {fact: harm_foreseen, is: true}",
     "unknown fact 'harm_foreseen'"),
    ("circuits/ca9.yaml", "{case: munger_v_city_of_glasgow_2000, pin: \"1086\"}", "{case: munger_v_glasgow_2000}",
     "unknown precedent 'munger_v_glasgow_2000'"),
    ("precedents/ca9.yaml", "  - id: kennedy_v_ridgefield_2006\n", "  - id: kennedy_v_ridgefield_2006\n    color: blue\n",
     "unknown key 'color'"),
])
def test_a_broken_data_file_is_refused_with_file_and_line(data_copy, file, old, new, needle):
    path = data_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataError) as err:
        _load()
    message = str(err.value)
    assert needle in message
    assert f"data/{file}:" in message or file.split("/")[-1] in message


def test_a_fact_value_outside_the_vocabulary_in_a_precedent(data_copy):
    path = data_copy / "precedents/ca9.yaml"
    text = path.read_text()
    path.write_text(text.replace("act_kind: disclosed_to_assailant", "act_kind: gossiped", 1))
    with pytest.raises(DataError) as err:
        _load()
    assert "gossiped" in str(err.value) and "precedents/ca9.yaml:" in str(err.value)


def test_duplicate_precedent_id_across_files(data_copy):
    extra = data_copy / "precedents/ca9-extra.yaml"
    kennedy = (data_copy / "precedents/ca9.yaml").read_text()
    start = kennedy.index("  - id: kennedy_v_ridgefield_2006")
    end = kennedy.find("\n  - id: ", start + 5)
    extra.write_text("court: ca9\nprecedents:\n" + kennedy[start:end if end > 0 else None] + "\n")
    with pytest.raises(DataError) as err:
        _load()
    assert "duplicate precedent id 'kennedy_v_ridgefield_2006'" in str(err.value)
