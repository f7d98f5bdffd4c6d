"""Text normalisation before matching: one pass that every classifier reads from.

Raw text is never changed for storage; these are the forms the detectors match on:

- `clean`: decoded, NFKC-folded, zero-width and control characters removed, homoglyphs from other
  scripts mapped to Latin, accents stripped, lower-cased, whitespace squeezed. Contact details are
  read from this form (digits intact).
- `match`: `clean` with leetspeak undone inside words ("s3lf h4rm" -> "self harm") and letters
  spelled out with dots or dashes joined ("k.y.s" -> "kys"). Phrase rules read this form.
- `sentences`: `match` split into sentences, for the rules' clause logic and the sentence embedder.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
                               "\ufeff\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0"
                               "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)

# Letters from Cyrillic, Greek and a few IPA / Latin-extended blocks that look like Latin ones.
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ɡ": "g", "ɑ": "a", "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "β": "b", "η": "n", "μ": "u", "ω": "w", "ɩ": "i", "ǀ": "l", "ʟ": "l",
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ғ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j",
    "ᴋ": "k", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
}
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)
_HOMOGLYPH_RX = re.compile("[" + "".join(_HOMOGLYPHS) + "]")

# leetspeak inside a word that also has letters: s3lf, h4rm, k1ll, d!e, $uicide
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
                       "!": "i", "|": "l", "+": "t", "€": "e", "£": "l"})
_LEET_WORD = re.compile(r"[\w@$!|+€£]*[a-z][\w@$!|+€£]*")
_LEET_CHARS = re.compile(r"[0-9@$!|+€£]")
# a number with its unit is not leetspeak: "15yo", "3yrs", "2nd", "10pm", "20mg", and year groups "y7"
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:[a-z]{1,6})|y\d{1,2}")
_SPELLED = re.compile(r"\b(?:[a-z][.\-_*·~]+){2,}[a-z]\b|\b[a-z][.\-_*·~]+[a-z]\b(?=[.\-_*·~]?\s|$)")
_SPACED = re.compile(r"\b(?:[a-z] ){3,}[a-z]\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufff9-\ufffd]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_WS = re.compile(r"[ \t\r\f\v]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+|(?<=[.!?])(?=[a-z])")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                              "\u201c": '"', "\u201d": '"'})


@dataclass
class Normalised:
    raw: str
    clean: str
    match: str
    sentences: list[str]
    truncated: bool = False
    binary_junk: bool = False
    zero_width: bool = False
    mixed_script: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.match.strip()

    @property
    def words(self) -> int:
        return len(self.match.split())


def to_text(value: object) -> str:
    """Whatever the caller passed, a str (bytes decoded leniently, None as empty)."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return str(value)
    return value


def _strip_marks(s: str) -> str:
    if s.isascii():                  # most posts: nothing to strip (a per-character pass cost ~0.1 ms)
        return s
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _leet_word(m: re.Match) -> str:
    word = m.group(0)
    core = word.rstrip("!|+")          # "done!!!" keeps its exclamation marks
    tail = word[len(core):]
    if not _LEET_CHARS.search(core) or core.isdigit() or _NUMBER_WITH_UNIT.fullmatch(core):
        return word
    return core.translate(_LEET) + tail


def _undo_leet(s: str) -> str:
    s = re.sub(r"[!?]{2,}", lambda m: m.group(0)[0] + " ", s)
    return _LEET_WORD.sub(_leet_word, s)


def _join_spelled(s: str) -> str:
    s = _SPELLED.sub(lambda m: re.sub(r"[.\-_*·~]+", "", m.group(0)), s)
    return _SPACED.sub(lambda m: m.group(0).replace(" ", ""), s)


def split_sentences(s: str, limit: int = 20_000) -> list[str]:
    out = [p.strip() for p in _SENTENCE.split(s) if p and p.strip()]
    return out[:limit]


def normalise(value: object, max_chars: int = 100_000) -> Normalised:
    raw = to_text(value)
    notes: list[str] = []
    truncated = len(raw) > max_chars
    text = raw[:max_chars] if truncated else raw
    if truncated:
        notes.append(f"very long text: checked the first {max_chars:,} characters")
    replacement = text.count("\ufffd")
    controls = sum(len(m) for m in _CONTROL.findall(text))
    binary = bool(text) and (replacement + controls) > max(8, len(text) // 20)
    if binary:
        notes.append("text contains binary or undecodable characters")
    without = text.translate(ZERO_WIDTH)
    zero_width = len(without) != len(text)
    text = without
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    low = text.lower()
    mixed = not low.isascii() and bool(_HOMOGLYPH_RX.search(low)) and bool(re.search(r"[a-z]", low))
    low = low.translate(_HOMOGLYPH_TABLE)
    low = _strip_marks(low)
    low = _WS.sub(" ", low).strip()
    low = re.sub(r" *\n[\s\n]*", "\n", low)
    clean = low
    match = _REPEATS.sub(r"\1\1", _join_spelled(_undo_leet(clean)))
    return Normalised(raw=raw, clean=clean, match=match, sentences=split_sentences(match),
                      truncated=truncated, binary_junk=binary, zero_width=zero_width,
                      mixed_script=mixed, notes=notes)
