"""Literal gates: which regular expressions could match a text at all, found in one pass.

Python's `re` tries a pattern that starts with a word boundary and an alternation at every position
of the text; with eighty-odd safeguarding rules and thirty idioms, trying them all was most of a
post's screening time outside the models. But every match of a rule contains one of a few words
("kill", "self", "suicid", "passport", ...). `required(pattern)` reads those words off the compiled
pattern (`re._parser`, the parser `re` itself uses), so a rule and its gate cannot drift apart, and
`Gates` finds all of them in a text in one Aho-Corasick pass (pyahocorasick). A rule runs only where
one of its words is present. A pattern with no such word (it can match almost anything) always runs.

The test is a superset: lookaheads are skipped (they only narrow a match), word boundaries are
ignored, an optional part may be there or not. `tests/moderation/test_literals.py` checks that a
gate never turns away a text its pattern matches, over every text of the evaluation data.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

try:  # Python 3.11+
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

MAX_STRINGS = 256     # a literal run that branches into more strings than this is cut short
MAX_CLASS = 4         # a character class of more characters ([a-z], \w) is not a literal
MAX_GROUPS = 3        # a pattern's gate checks at most this many of its required word sets
# Words in nearly every text: a gate made of them would let every text through.
COMMON = frozenset("""a an and are as at be been but do for from get go got had has have he her him his i i'd
i'll i'm i've id ill im in is it its ive me my no not of on or our she so that the them they this to up
us was we were what when who will with you your""".split())

_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op)


def _score(strings: set[str] | None) -> int:
    """How much a set of required strings narrows the texts: its shortest string, in letters;
    0 when any of them is a common word or the set is empty."""
    if not strings:
        return 0
    words = [s.strip(" '") for s in strings]
    if any(not w or w in COMMON for w in words):
        return 0
    return min(len(w) for w in words)


def _info(op, av) -> tuple[set[str] | None, list[set[str]]]:
    """(exact, required) of one parsed item: `exact` the finite set of strings it matches (None when
    not finite and small); `required` word sets each of which every match contains one of."""
    if op is _c.LITERAL:
        return {chr(av).lower()}, []
    if op in _ZERO_WIDTH:
        return {""}, []
    if op is _c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is _c.LITERAL:
                chars.add(chr(iav).lower())
            elif iop is _c.CATEGORY and iav is _c.CATEGORY_SPACE:
                chars.add(" ")           # normalised text has single spaces only
            else:
                return None, []
        return (chars, []) if len(chars) <= MAX_CLASS else (None, [])
    if op is _c.SUBPATTERN:
        return _sequence(av[-1])
    if op is _c.BRANCH:
        parts = [_sequence(alt) for alt in av[1]]
        exact = set().union(*(e for e, _ in parts)) if all(e is not None for e, _ in parts) else None
        if exact is not None and len(exact) > MAX_STRINGS:
            exact = None
        # any alternative may match: one word set per alternative, joined, is required
        reqs = [_best([e, *r]) for e, r in parts]
        required = [set().union(*reqs)] if all(_score(r) for r in reqs) else []
        return exact, required
    if op in _REPEATS:
        lo, hi, body = av
        exact, required = _sequence(body)
        if hi == 1:
            return (exact | {""} if exact is not None and lo == 0 else exact), (required if lo else [])
        return None, (_keep([exact, *required]) if lo else [])
    return None, []


def _best(sets: list[set[str] | None]) -> set[str] | None:
    """The set that narrows most: the longest shortest word; on a tie, the fewest words."""
    good = [x for x in sets if _score(x)]
    return max(good, key=lambda x: (_score(x), -len(x))) if good else None


def _keep(sets: list[set[str] | None]) -> list[set[str]]:
    """The word sets worth checking, most narrowing first."""
    good = sorted((x for x in sets if _score(x)), key=lambda x: (-_score(x), len(x)))
    out: list[set[str]] = []
    for x in good:
        # a set implied by a kept one adds nothing (" dad" after "dad"); a further set with a
        # one-letter string ("s") fires on every text and only costs time, but two letters ("od"
        # in "overdose|od") still narrow a set of common words ("going", "need") a great deal
        implied = any(all(any(y in w for y in kept) for w in x) for kept in out)
        if not implied and (not out or _score(x) >= 2):
            out.append(x)
    return out[:MAX_GROUPS]


def _sequence(items) -> tuple[set[str] | None, list[set[str]]]:
    """(exact, required) of a concatenation: adjacent exact items join into longer strings; every
    item's required sets are required of the whole."""
    run: set[str] | None = {""}
    found: list[set[str] | None] = []
    whole_exact = True
    for op, av in items:
        exact, required = _info(op, av)
        found.extend(required)
        if exact is not None and run is not None and len(run) * len(exact) <= MAX_STRINGS:
            run = {a + b for a in run for b in exact}
            continue
        found.append(run)
        whole_exact = False
        run = exact if exact is not None else {""}
    found.append(run)
    return (run if whole_exact else None), _keep(found)


def _minimal(words: set[str]) -> tuple[str, ...]:
    # a string that contains a shorter one of the set adds nothing to the test
    return tuple(sorted(w for w in words if not any(t != w and t in w for t in words)))


def _groups(items) -> list[tuple[str, ...]]:
    exact, req = _sequence(items)
    return [_minimal(x) for x in _keep([exact, *req])]


def alternatives(pattern: re.Pattern) -> list[list[tuple[str, ...]]]:
    """The pattern's top-level alternatives (`a|b|c`), each as the word sets every match of it
    contains one word of; an alternative with no such set means the pattern can match anything."""
    try:
        items = list(_p.parse(pattern.pattern, pattern.flags))
        # the parser moves a prefix all alternatives share (`\b`) out in front of the branch
        body = [item for item in items if item[0] not in _ZERO_WIDTH]
        if len(body) == 1 and body[0][0] is _c.BRANCH:
            return [_groups(alt) for alt in body[0][1][1]]
        return [_groups(items)]
    except RecursionError:  # pragma: no cover - a pathological pattern simply runs ungated
        return [[]]


def required_all(pattern: re.Pattern) -> list[tuple[str, ...]]:
    """Word sets such that every match of `pattern` contains one word of each (lower-cased); empty
    when nothing narrows the texts it could match."""
    try:
        return _groups(_p.parse(pattern.pattern, pattern.flags))
    except RecursionError:  # pragma: no cover
        return []


def required(pattern: re.Pattern) -> tuple[str, ...] | None:
    """The most narrowing of those word sets, or None."""
    groups = required_all(pattern)
    return groups[0] if groups else None


class Gates:
    """The gates of several patterns in one automaton: `open(text)` is the set of indexes of the
    patterns that could match `text`. A pattern opens where one of its alternatives has a word of
    each of its required sets in the text (a parent AND a verb of harm narrow far more than either);
    a pattern with an alternative that needs no word always opens."""

    def __init__(self, patterns: Sequence[re.Pattern]) -> None:
        import ahocorasick

        always: set[int] = set()
        self.owner: list[int] = []      # clause (one alternative of one pattern) -> pattern
        self.need: list[int] = []       # clause -> how many word sets it needs
        words: dict[str, set[int]] = {}
        for i, pattern in enumerate(patterns):
            alts = alternatives(pattern)
            if any(not groups for groups in alts):
                always.add(i)
                continue
            for groups in alts:
                clause = len(self.owner)
                self.owner.append(i)
                self.need.append(len(groups))
                for g, group in enumerate(groups):
                    for word in group:
                        words.setdefault(word, set()).add(clause * MAX_GROUPS + g)
        self.always: frozenset[int] = frozenset(always)
        self.automaton = ahocorasick.Automaton()
        # per word id: the patterns it opens alone (clauses of one word set), and the (clause, set)
        # keys it counts towards in clauses that need several
        self.opens: list[frozenset[int]] = []
        self.keys: list[tuple[int, ...]] = []
        for word, keys in words.items():
            self.automaton.add_word(word, len(self.keys))
            self.opens.append(frozenset(self.owner[k // MAX_GROUPS] for k in keys if self.need[k // MAX_GROUPS] == 1))
            self.keys.append(tuple(k for k in keys if self.need[k // MAX_GROUPS] > 1))
        self.has_words = bool(words)
        if words:
            self.automaton.make_automaton()

    def open(self, text: str) -> set[int]:
        out = set(self.always)
        if self.has_words:
            # a short word ("end") can occur many times: take each word once
            hit: set[int] = set()
            for word in {w for _end, w in self.automaton.iter(text)}:
                out |= self.opens[word]
                if self.keys[word]:
                    hit.update(self.keys[word])
            if hit:
                count: dict[int, int] = {}
                for key in hit:
                    clause = key // MAX_GROUPS
                    count[clause] = count.get(clause, 0) + 1
                out.update(self.owner[c] for c, n in count.items() if n == self.need[c])
        return out

    def filter(self, items: Iterable, text: str) -> list:
        """The items (in order, one per pattern) whose pattern could match `text`."""
        allowed = self.open(text)
        return [item for i, item in enumerate(items) if i in allowed]
