"""The literal gates in front of the rules: they may only ever skip a pattern that cannot match."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from moderation.classifiers import contact, hostility, rules
from moderation.classifiers.literals import Gates, required, required_all
from moderation.classifiers.semantic import load_exemplars
from moderation.normalise import normalise

DATA = Path(__file__).resolve().parent.parent / "data"
PATTERNS = [r.pattern for r in rules.RULES] + list(rules.IDIOMS) + list(contact._GATED) + \
    [rx for rx, _ in hostility.PATTERNS] + rules._PARTS


def _texts() -> list[str]:
    out = [json.loads(line)["text"] for f in sorted(DATA.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    return out + [line for lines in load_exemplars().values() for line in lines]


def test_a_gate_never_turns_away_a_text_its_pattern_matches():
    gates = Gates(PATTERNS)
    checked = opened = 0
    for text in _texts():
        doc = normalise(text)
        for piece in [doc.match, doc.clean, *doc.sentences]:
            allowed = gates.open(piece)
            opened += len(allowed)
            checked += 1
            missed = [p.pattern[:60] for i, p in enumerate(PATTERNS) if i not in allowed and p.search(piece)]
            assert not missed, (piece, missed)
    assert checked > 3000
    # the gates do narrow: a sentence opens a handful of the 110-odd patterns, not most of them
    assert opened / checked < 10


def test_context_read_in_gated_parts_reads_as_the_whole_pattern():
    # topic, past, urgency... are each split into their alternatives and gated one by one
    assert len(rules._PARTS) > 100
    checked = 0
    for text in _texts()[::3]:
        doc = normalise(text)
        reading = rules.Reading((doc.match, " ".join(doc.sentences)))
        for piece in [doc.match, *doc.sentences]:
            for rx in rules._CONTEXT:
                assert reading(rx, piece) == (rx.search(piece) is not None), (rx.pattern[:40], piece)
                assert rules.Reading()(rx, piece) == (rx.search(piece) is not None)
                checked += 1
    assert checked > 10000


def test_one_idiom_gate_per_post_strips_what_a_gate_per_sentence_does():
    for text in _texts()[::2]:
        doc = normalise(text)
        gate = rules.idiom_gate(doc.match)
        for sentence in doc.sentences:
            assert rules.strip_idioms(sentence, gate) == rules.strip_idioms(sentence), sentence


@pytest.mark.parametrize("pattern, parts", [
    (r"\b(?:a|b(?:c|d)|[|)]e)\b", [r"\b(?:a)\b", r"\b(?:b(?:c|d))\b", r"\b(?:[|)]e)\b"]),
    (r"\b(?:a)|(?:b)\b", [r"\b(?:a)|(?:b)\b"]),          # not one alternation: kept whole
    (r"x|y", [r"x|y"]),
])
def test_top_level_alternatives(pattern, parts):
    assert [p.pattern for p in rules.top_level_alternatives(re.compile(pattern))] == parts


def test_required_words_come_from_the_pattern():
    assert required(re.compile(r"\b(?:kill|hurt)\s+myself\b", re.I)) == ("myself",)
    assert required(re.compile(r"\b(?:kill|hurt)ing (?:him|them)\b", re.I)) == (
        "hurting him", "hurting them", "killing him", "killing them")
    assert required(re.compile(r"[a-z]+ing\b", re.I)) == ("ing",)
    # a lookahead narrows a match, it is not part of it
    assert required(re.compile(r"(?=.*lol)\bdead\b", re.I)) == ("dead",)
    # an optional word may be missing; a common word narrows nothing
    assert required(re.compile(r"\b(?:my )?passport\b", re.I)) == ("passport",)
    assert required(re.compile(r"\b(?:i|my) \w+", re.I)) is None


@pytest.mark.parametrize("pattern", [r"\w+\b", r".{3,}", r"[a-z]+ [a-z]+"])
def test_a_pattern_with_no_required_word_always_runs(pattern):
    rx = re.compile(pattern, re.I)
    gates = Gates([re.compile(r"\bpassport\b"), rx])
    assert 1 in gates.open("nothing in common here")
    assert gates.open("nothing in common here") == {1}
    assert gates.open("they kept my passport") == {0, 1}


def test_a_second_required_word_narrows_the_gate():
    rx = re.compile(r"\b(?:dad|mum)\b.{0,20}\b(?:hits|kicks)\b")
    assert [set(g) for g in required_all(rx)] == [{"hits", "kicks"}, {"dad", "mum"}]
    gates = Gates([rx])
    assert gates.open("mum made tea") == set()
    assert gates.open("he kicks the ball") == set()
    assert gates.open("my mum always kicks us out at night") == {0}


def test_every_rule_but_a_few_has_a_gate():
    ungated = [p.pattern[:60] for p in PATTERNS if required(p) is None]
    assert len(ungated) <= 3, ungated
