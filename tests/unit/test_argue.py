"""The three-ply argument, characterisation and prediction: graded by the engine's own comparison."""
from __future__ import annotations

import textwrap

import pytest

from helpers.analogy import compare_facts, differences
from helpers.engine import evaluate
from helpers.exercises import exercise_set, grade, load_bank, load_lesson
from helpers.exercises.argue import grade_plies, plies, spar
from helpers.casebase import casebase
from helpers.immunity import pattern_key, search, best_counterexample, counterexample_checks, is_counterexample
from helpers.law import law
from helpers.loading import DataError
from helpers.progress import ProgressStore

KENNEDY = "kennedy_v_ridgefield_2006"
STRONG = "cite=l_w_v_grubbs_1992;distinguish=act_kind;counter=l_w_v_grubbs_1996;rebut=distinction_immaterial"


@pytest.fixture(scope="module")
def kennedy():
    return law().precedents[KENNEDY].fact_pattern().with_(generality="particularized")


@pytest.fixture(scope="module")
def three_ply():
    return load_lesson("06_qualified_immunity")["kennedy_three_ply"]


def test_the_strong_cite_is_the_case_the_engine_rests_on(kennedy, three_ply):
    basis = evaluate(kennedy).clearly_established_basis
    cite = three_ply.plies[0]
    assert [m.id for m in cite.moves if m.correct] == list(basis.precedents) == ["l_w_v_grubbs_1992"]


@pytest.mark.parametrize("case,named", [
    ("wood_v_ostrander_1989", "mechanism"),          # a different mechanism of danger
    ("munger_v_city_of_glasgow_2000", "2000-09-06"),  # decided after the conduct: the date is named
    ("l_w_v_grubbs_1996", "found no violation"),
    ("kallstrom_v_city_of_columbus_1998", "persuasive"),
])
def test_a_weak_cite_is_told_what_made_it_weak(three_ply, case, named):
    fb = grade(three_ply, {"cite": case})
    assert fb.answered and not fb.correct
    assert named in fb.message


def test_a_right_first_move_opens_the_next_ply_without_saving(three_ply):
    fb = grade(three_ply, {"cite": "l_w_v_grubbs_1992"})
    assert not fb.answered and "Now: 2. The defence distinguishes" in fb.message


def test_the_complete_argument_is_right_and_every_reply_the_comparison_bears_out_counts(three_ply):
    assert grade(three_ply, STRONG).correct
    assert grade(three_ply, STRONG.replace("distinction_immaterial", "counter_not_stronger")).correct
    wrong = grade(three_ply, STRONG.replace("distinction_immaterial", "counter_binding"))
    assert not wrong.correct and "binds the Ninth Circuit" in wrong.message


def test_nicholas_is_weak_for_its_date(three_ply):
    fb = grade(three_ply, STRONG.replace("counter=l_w_v_grubbs_1996", "counter=nicholas_v_wallenstein_2001"))
    assert not fb.correct and "2001-09-11" in fb.message and "1998-09-24" in fb.message


def test_the_defence_distinction_is_the_surface_act_under_the_shared_mechanism(kennedy):
    grubbs = law().precedents["l_w_v_grubbs_1992"].fact_pattern()
    top = differences(grubbs, pattern_key(kennedy), "Grubbs I")[0]
    assert (top.fact, top.kind) == ("act_kind", "surface")
    assert "lower her guard" in top.why and "Kennedy at 1067" in top.why
    assert compare_facts(grubbs, pattern_key(kennedy)).shared_mechanisms == ("lowered_guard",)


def test_counterexample_checks_agree_with_the_engine(kennedy):
    """The same comparison: a case is a counterexample here exactly when the engine's search says so."""
    L = law()
    circ = L.circuits["ca9"]
    for facts in (kennedy, L.precedents["pena_v_deprisco_2005"].fact_pattern(),
                  L.precedents["mcclendon_v_city_of_columbia_2002"].fact_pattern()):
        circ = L.circuits[facts.circuit]
        engine = {p.id for p in casebase(L).cases(search(facts).contrary)}
        ours = {p.id for p in L.danger_precedents if p.violation is False
                and is_counterexample(counterexample_checks(L, circ, p, facts))}
        assert ours == engine


def test_best_counterexample_prefers_an_earlier_binding_case(kennedy):
    L = law()
    p, checks = best_counterexample(L, L.circuits["ca9"], kennedy)
    assert p.court == "ca9" and p.decided.isoformat() < "1998-09-24"


def test_a_menu_with_no_case_on_point_is_refused_with_file_and_line(tmp_path):
    bank = tmp_path / "exercises.yaml"
    bank.write_text(textwrap.dedent(f"""\
        lesson: sample
        title: Sample
        exercises:
          - id: bad_argument
            type: argue
            prompt: Argue.
            case: {KENNEDY}
            cite: [wood_v_ostrander_1989]
            explanation: x
        """))
    with pytest.raises(DataError) as err:
        load_bank(bank)
    assert f"{bank}:4" in err.value.problems[0] and "on point" in err.value.problems[0]


def test_spar_plays_the_defence(kennedy):
    lines = spar(kennedy, "l_w_v_grubbs_1992")
    assert any("distinguishes" in s for s in lines) and any("Grubbs II" in s for s in lines)


def test_playing_kennedy_in_the_widget_saves_the_moves(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    ui = exercise_set("06_qualified_immunity", store=store, student="ann")
    item = ui.item("kennedy_three_ply")
    assert [b.layout.display for b in item._ply_boxes] == [None, "none", "none", "none"]
    item.set_answer({"cite": "wood_v_ostrander_1989"})
    fb = item.submit()
    assert not fb.correct and "mechanism" in item.feedback.value
    item.reset()
    item.set_answer({"cite": "l_w_v_grubbs_1992"})
    item.submit()
    assert item._ply_boxes[1].layout.display is None  # the defence's ply opens
    item.set_answer(STRONG)
    assert item.submit().correct
    saved = [(a.exercise, a.correct, a.answer) for a in store.attempts("ann")]
    assert saved == [("kennedy_three_ply", False, "cite=wood_v_ostrander_1989"), ("kennedy_three_ply", True, STRONG)]
    again = exercise_set("06_qualified_immunity", store=ProgressStore(tmp_path / "p.sqlite3"), student="ann")
    assert again.item("kennedy_three_ply").last.correct


BYBEE = {"danger_effect": "none", "awareness": "none", "culpability": "negligence",
         "harm_foreseeable": "no", "but_for_cause": "no"}


def test_characterising_kennedy_as_judge_bybee_gives_the_dissents_outcome():
    ex = load_lesson("03_state_created_danger")["kennedy_characterise"]
    fb = grade(ex, BYBEE)
    assert fb.answered and not fb.correct
    assert "In the Ninth Circuit, with your facts: no violation" in fb.message
    assert "Your reading is this opinion's, and so is your outcome" in fb.message
    assert "State of mind 'negligence' instead of 'deliberate indifference (or recklessness)': alone it changes" in fb.message
    majority = {f: ("yes" if v is True else "no" if v is False else v) for f, v in
                law().precedents[KENNEDY].fact_pattern().to_dict().items() if f in BYBEE}
    assert grade(ex, majority).correct
    assert not grade(ex, {"danger_effect": "none"}).answered


def test_a_prediction_reveals_every_circuit_whether_right_or_wrong():
    ex = load_lesson("03_state_created_danger")["kennedy_predict_awareness"]
    facts = law().precedents[KENNEDY].fact_pattern()
    from helpers.engine import compare

    before, after = compare(facts), compare(facts.with_(awareness="none"))
    key = {a.circuit for a, b in zip(before.results, after.results) if a.violation != b.violation}
    assert set(ex.key) == key
    wrong = grade(ex, ["ca9"])
    assert not wrong.correct and len(wrong.details) == 12
    assert grade(ex, sorted(key)).correct


def test_the_qi_lab_spars_ungraded():
    from helpers.qilab import qi_lab

    lab = qi_lab()
    lab.set(generality="particularized")
    assert lab.spar_panel.value == ""
    html = lab.spar("l_w_v_grubbs_1992")
    assert "The defence answers" in html and "Grubbs II" in html and "lower her guard" in html
    lab.set(conduct_date="1991-01-01")  # before Grubbs I: the defence says so
    assert "1992-09-03" in lab.spar_panel.value


@pytest.mark.parametrize("lesson", ["02_special_relationship", "03_state_created_danger", "04_culpability",
                                    "05_circuit_lab", "06_qualified_immunity", "07_capstone"])
def test_each_lesson_from_02_argues_characterises_and_predicts(lesson):
    kinds = [ex.type for ex in load_lesson(lesson).exercises]
    assert kinds.count("argue") >= 3 and kinds.count("characterise") >= 3 and kinds.count("predict") >= 1


@pytest.mark.parametrize("lesson", ["00_start_here", "01_deshaney"])
def test_the_first_lessons_predict_too(lesson):
    assert any(ex.type == "predict" for ex in load_lesson(lesson).exercises)


def test_every_argument_in_the_series_has_a_strong_move_in_each_ply():
    from helpers.exercises import check_lessons

    for bank in check_lessons().banks:
        for ex in bank.exercises:
            if ex.type == "argue":
                assert [p.id for p in ex.plies] == ["cite", "distinguish", "counter", "rebut"]
                assert all(any(m.correct for m in p.moves) for p in ex.plies), ex.id


def test_the_capstone_is_mostly_argument():
    kinds = [ex.type for ex in load_lesson("07_capstone").exercises]
    assert kinds.count("argue") > len(kinds) / 2


def test_the_characterise_widget_shows_the_narrative_and_the_dissents_outcome(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    ui = exercise_set("03_state_created_danger", store=store, student="bea")
    item = ui.item("kennedy_characterise")
    assert "deshaney-narrative" in item.prompt.value and "promised" in item.prompt.value
    item.set_answer(BYBEE)
    fb = item.submit()
    import html

    assert not fb.correct and "Your reading is this opinion's, and so is your outcome" in html.unescape(item.feedback.value)
    (saved,) = store.attempts("bea")
    assert saved.answer == "danger_effect=none;awareness=none;culpability=negligence;harm_foreseeable=no;but_for_cause=no"
    again = exercise_set("03_state_created_danger", store=ProgressStore(tmp_path / "p.sqlite3"), student="bea")
    assert again.item("kennedy_characterise").answer() == {k: v for k, v in BYBEE.items()}


def test_an_argument_is_refused_where_the_forums_own_test_decides(tmp_path):
    bank = tmp_path / "exercises.yaml"
    bank.write_text(textwrap.dedent("""\
        lesson: sample
        title: Sample
        exercises:
          - id: custody_decides
            type: argue
            prompt: Argue.
            case: camp_v_gregory_1995
          - id: forum_test_decides
            type: argue
            prompt: Argue.
            case: after_party_placeholder
        """).replace("case: after_party_placeholder", "case: pena_v_deprisco_2005\n    changes: {circuit: ca9, conduct_date: 2012-07-21, decision_date: 2016-01-01}"))
    with pytest.raises(DataError) as err:
        load_bank(bank)
    problems = err.value.problems
    assert any(f"{bank}:4" in p and "custody" in p for p in problems)
    assert any(f"{bank}:8" in p and "own test" in p for p in problems)


def test_a_right_argument_ends_with_the_engines_answer(three_ply, kennedy):
    fb = grade(three_ply, STRONG)
    assert "Where the argument leads (the engine, on these facts): clearly established." in fb.message
    assert evaluate(kennedy).clearly_established_basis.why in fb.message


def test_a_prediction_on_its_own_before_the_lab_is_saved(tmp_path):
    from helpers.exercises import exercise

    store = ProgressStore(tmp_path / "p.sqlite3")
    box = exercise("03_state_created_danger", "kennedy_predict_awareness", store=store, student="cy")
    item = box.item
    item.set_answer(["ca9"])
    assert not item.submit().correct and "Second Circuit" in item.feedback.value  # revealed, even when wrong
    assert [(a.exercise, a.answer) for a in store.attempts("cy")] == [("kennedy_predict_awareness", "ca9")]
    again = exercise("03_state_created_danger", "kennedy_predict_awareness", store=ProgressStore(tmp_path / "p.sqlite3"),
                     student="cy")
    assert again.item.last is not None and not again.item.last.correct
    assert "could not be loaded" in exercise("03_state_created_danger", "no_such", store=None).value


def test_bad_characterise_and_predict_entries_name_file_line_and_value(tmp_path):
    bank = tmp_path / "exercises.yaml"
    bank.write_text(textwrap.dedent(f"""\
        lesson: sample
        title: Sample
        exercises:
          - id: bad_set
            type: characterise
            case: {KENNEDY}
            narrative: A story.
            set: [awareness, circuit, mood]
            prompt: Set them.
            explanation: x
          - id: bad_flip
            type: predict
            case: {KENNEDY}
            flip: {{awareness: psychic}}
            prompt: Predict.
            explanation: x
        """))
    with pytest.raises(DataError) as err:
        load_bank(bank)
    problems = err.value.problems
    assert any(f"{bank}:8" in p and "circuit, mood" in p for p in problems)
    assert any(f"{bank}:14" in p and "psychic" in p for p in problems)


def test_characterise_accepts_an_equivalent_or_outcome_neutral_reading_and_says_why():
    ex = load_lesson("03_state_created_danger")["kennedy_characterise"]
    majority = {f: ("yes" if v is True else "no" if v is False else v) for f, v in
                law().precedents[KENNEDY].fact_pattern().to_dict().items() if f in ex.asked}
    increased = grade(ex, dict(majority, danger_effect="increased"))  # Penilla: created and increased count alike
    assert increased.correct and "a value the workbook counts alike" in increased.message
    assert "Penilla" in increased.message
    # a reading that changes an answer somewhere is still not the majority's
    assert not grade(ex, dict(majority, culpability="negligence")).correct


def test_characterise_never_asks_a_fact_the_court_did_not_find(tmp_path):
    pinder = law().precedents["pinder_v_johnson_1995"]
    assert "culpability" in pinder.not_found
    ex = load_lesson("02_special_relationship")["characterise_pinder"]
    assert "culpability" not in ex.asked
    bank = tmp_path / "b.yaml"
    bank.write_text("lesson: s\ntitle: S\nexercises:\n  - id: c\n    type: characterise\n    prompt: P\n"
                    "    explanation: E\n    case: pinder_v_johnson_1995\n    narrative: N\n    set: [custody, culpability]\n")
    from helpers.exercises import load_bank
    from helpers.loading import DataError

    with pytest.raises(DataError) as exc:
        load_bank(bank)
    assert "b.yaml:10" in exc.value.problems[0] and "no finding on culpability" in exc.value.problems[0]
