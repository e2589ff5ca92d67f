"""Jargon is defined where a reader first meets it (lessons/glossary.yaml lists the terms).

Two readers, each reading in the lessons' order (the notebooks' numbering):
- the student: each notebook's markdown, and at the cell that shows them the exercise banks'
  prose, the case notes, capstone cards and answer cards, and the fact panel's help (the labs'
  tables and the QI lab's text are not read here);
- the professor: the guides, lessons/NN/guide.md.
A term's first paragraph in each reading must define it (match one of its `defines` patterns).
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GLOSSARY = yaml.safe_load((LESSONS / "glossary.yaml").read_text())["terms"]
#: The keys of a bank or card whose values a student reads.
PROSE = {"title", "intro", "prompt", "text", "feedback", "explanation", "counter", "narrative", "story", "questions"}


def normal(text: str) -> str:
    """What a reader sees, for matching: tags and emphasis marks gone, entities read, one space."""
    text = re.sub(r"(?s)<style.*?</style>", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.replace("*", "").split())


def paragraphs(markdown: str) -> list[str]:
    return [p for p in (normal(b) for b in re.split(r"\n\s*\n", markdown)) if p]


def prose(node) -> list[str]:
    """Every student-facing string in a bank's YAML, in the order it stands."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PROSE and isinstance(value, str):
                out.append(normal(value))
            elif key in PROSE and isinstance(value, list) and all(isinstance(v, str) for v in value):
                out.extend(normal(v) for v in value)
            else:
                out.extend(prose(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(prose(value))
    return out


def bank(lesson: str) -> dict:
    return yaml.safe_load((LESSONS / lesson / "exercises.yaml").read_text())


def widget_text(widget) -> list[str]:
    return [p for p in (normal(b) for b in re.split(r"</p>|</li>|</h4>", widget.value)) if p]


def widget_texts(widget) -> list[str]:
    """Every paragraph a widget tree shows (HTML values, and labels of its children)."""
    out = widget_text(widget) if isinstance(getattr(widget, "value", None), str) else []
    for child in getattr(widget, "children", ()):
        out += widget_texts(child)
    return out


def answer_card_text(src: str) -> list[str]:
    """The answer card a cell draws (lesson 00 shows one before any lab): run the cell as a kernel would."""
    namespace: dict = {}
    *body, last = src.strip().splitlines()
    exec("\n".join(body), namespace)  # noqa: S102 - the notebook's own cell
    return widget_texts(eval(last, namespace))  # noqa: S307


def fact_help() -> list[str]:
    facts = yaml.safe_load((ROOT / "data" / "facts.yaml").read_text())
    return [normal(v["help"]) for v in (facts.get("facts") or facts).values() if isinstance(v, dict) and v.get("help")]


def student_reading() -> list[tuple[str, str]]:
    """(where, paragraph) in the order a student meets them."""
    from helpers.exercises import case_note, hypothetical_card

    out: list[tuple[str, str]] = []
    panel_seen = False
    for path in NOTEBOOKS:
        lesson = path.stem
        placed: set[str] = set()
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            src = "".join(cell["source"])
            where = f"notebooks/{path.name} cell {i}"
            if cell["cell_type"] == "markdown":
                out += [(where, p) for p in paragraphs(src)]
                continue
            for m in re.finditer(r'\bexercise\("(\w+)", "(\w+)"\)', src):
                placed.add(m.group(2))
                ex = next(e for e in bank(m.group(1))["exercises"] if e["id"] == m.group(2))
                out += [(f"{where}: lessons/{m.group(1)}/exercises.yaml {ex['id']}", p) for p in prose(ex)]
            for m in re.finditer(r'\bexercise_set\("(\w+)"\)', src):
                raw = bank(m.group(1))
                out += [(f"{where}: lessons/{m.group(1)}/exercises.yaml intro", p) for p in prose({"intro": raw.get("intro")})]
                for ex in raw["exercises"]:
                    if ex["id"] not in placed:
                        out += [(f"{where}: lessons/{m.group(1)}/exercises.yaml {ex['id']}", p) for p in prose(ex)]
            for m in re.finditer(r'\bcase_note\("([\w]+)"(?:, "(\w+)")?\)', src):
                out += [(f"{where}: case note {m.group(1)}", p) for p in widget_text(case_note(m.group(1), m.group(2)))]
            for m in re.finditer(r'\bhypothetical_card\("(\w+)"\)', src):
                out += [(f"{where}: card {m.group(1)}", p) for p in widget_text(hypothetical_card(m.group(1), lesson))]
            if re.match(r"answer_card\(", src.strip().splitlines()[-1]):
                out += [(f"{where}: answer card", p) for p in answer_card_text(src)]
            if not panel_seen and re.search(r"\b(circuit_lab|qi_lab|answer_card)\(", src):
                panel_seen = True  # the fact panel's help is there to read from the first lab on
                out += [(f"{where}: fact panel help (data/facts.yaml)", p) for p in fact_help()]
    return out


def professor_reading() -> list[tuple[str, str]]:
    out = []
    for path in NOTEBOOKS:
        guide = LESSONS / path.stem / "guide.md"
        out += [(f"lessons/{path.stem}/guide.md", p) for p in paragraphs(guide.read_text())]
    return out


def undefined_first_uses(reading: list[tuple[str, str]], glossary: dict) -> list[str]:
    """Each term whose first paragraph in the reading does not define it, with where and the paragraph."""
    problems = []
    for key, term in glossary.items():
        use = re.compile(term["pattern"], re.I)
        first = next(((where, p) for where, p in reading if use.search(p)), None)
        if first and not any(re.search(d, first[1], re.I) for d in term["defines"]):
            problems.append(f"{key}: first used undefined in {first[0]}: {first[1][:300]}")
    return problems


def test_every_glossary_entry_defines_itself_in_its_own_words():
    for key, term in GLOSSARY.items():
        assert set(term) == {"pattern", "definition", "defines"}, key
        assert re.search(term["pattern"], normal(term["definition"]), re.I), key


@pytest.mark.parametrize("reader", ["student", "professor"])
def test_jargon_is_defined_where_a_reader_first_meets_it(reader):
    reading = student_reading() if reader == "student" else professor_reading()
    assert {where.split(" ")[0].split(":")[0] for where, _ in reading} >= (
        {f"notebooks/{p.name}" for p in NOTEBOOKS} if reader == "student"
        else {f"lessons/{p.stem}/guide.md" for p in NOTEBOOKS})  # every lesson was read
    assert undefined_first_uses(reading, GLOSSARY) == []


def test_the_check_catches_a_term_used_before_its_definition():
    term = {"arguendo": GLOSSARY["arguendo"]}
    used = ("a", "The Fifth Circuit assumed the theory arguendo.")
    defined = ("b", "It assumed it arguendo - for the sake of argument - and found the elements unmet.")
    assert undefined_first_uses([used, defined], term) != []
    assert undefined_first_uses([defined, used], term) == []
    assert undefined_first_uses([("c", "no jargon here")], term) == []
