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


def _best(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    sa, sb = _score(a), _score(b)
    if sa != sb:
        return a if sa > sb else b
    if not sa:
        return None
    return a if len(a) <= len(b) else b


def _info(op, av) -> tuple[set[str] | None, set[str] | None]:
    """(exact, required) of one parsed item: `exact` the finite set of strings it matches (None when
    not finite and small); `required` a set of strings one of which every match contains."""
    if op is _c.LITERAL:
        return {chr(av).lower()}, None
    if op in _ZERO_WIDTH:
        return {""}, None
    if op is _c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is _c.LITERAL:
                chars.add(chr(iav).lower())
            elif iop is _c.CATEGORY and iav is _c.CATEGORY_SPACE:
                chars.add(" ")           # normalised text has single spaces only
            else:
                return None, None
        return (chars, None) if len(chars) <= MAX_CLASS else (None, None)
    if op is _c.SUBPATTERN:
        return _sequence(av[-1])
    if op is _c.BRANCH:
        parts = [_sequence(alt) for alt in av[1]]
        exact = set().union(*(e for e, _ in parts)) if all(e is not None for e, _ in parts) else None
        if exact is not None and len(exact) > MAX_STRINGS:
            exact = None
        reqs = [e if _score(e) >= _score(r) else r for e, r in parts]
        required = set().union(*reqs) if all(_score(r) for r in reqs) else None
        return exact, required
    if op in _REPEATS:
        lo, hi, body = av
        exact, required = _sequence(body)
        if hi == 1:
            return (exact | {""} if exact is not None and lo == 0 else exact), (required if lo else None)
        return None, (_best(exact, required) if lo else None)
    return None, None


def _sequence(items) -> tuple[set[str] | None, set[str] | None]:
    """(exact, required) of a concatenation: adjacent exact items join into longer strings."""
    run: set[str] | None = {""}
    best: set[str] | None = None
    whole_exact = True
    for op, av in items:
        exact, required = _info(op, av)
        best = _best(best, required)
        if exact is not None and run is not None and len(run) * len(exact) <= MAX_STRINGS:
            run = {a + b for a in run for b in exact}
            continue
        best = _best(best, run)
        whole_exact = False
        run = exact if exact is not None else {""}
    best = _best(best, run)
    return (run if whole_exact else None), best


def required(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Strings one of which every match of `pattern` contains (lower-cased), or None when no such
    set narrows the texts it could match."""
    try:
        exact, req = _sequence(_p.parse(pattern.pattern, pattern.flags))
    except RecursionError:  # pragma: no cover - a pathological pattern simply runs ungated
        return None
    found = _best(exact, req)
    if not found:
        return None
    # a string that contains a shorter one of the set adds nothing to the test
    found = {s for s in found if not any(t != s and t in s for t in found)}
    return tuple(sorted(found))


class Gates:
    """The gates of several patterns in one automaton: `open(text)` is the set of indexes of the
    patterns that could match `text`."""

    def __init__(self, patterns: Sequence[re.Pattern]) -> None:
        import ahocorasick

        needs = [required(p) for p in patterns]
        self.always: frozenset[int] = frozenset(i for i, words in enumerate(needs) if words is None)
        self.words: dict[str, list[int]] = {}
        for i, words in enumerate(needs):
            for word in words or ():
                self.words.setdefault(word, []).append(i)
        self.automaton = ahocorasick.Automaton()
        for word, idx in self.words.items():
            self.automaton.add_word(word, tuple(idx))
        if self.words:
            self.automaton.make_automaton()

    def open(self, text: str) -> set[int]:
        out = set(self.always)
        if self.words:
            for _end, idx in self.automaton.iter(text):
                out.update(idx)
        return out

    def filter(self, items: Iterable, text: str) -> list:
        """The items (in order, one per pattern) whose pattern could match `text`."""
        allowed = self.open(text)
        return [item for i, item in enumerate(items) if i in allowed]
