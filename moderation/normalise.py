"""Text normalisation before matching: one pass that every classifier reads from.

Raw text is never changed for storage; these are the forms the detectors match on:

- `clean`: decoded, NFKC-folded, zero-width and control characters removed, homoglyphs from other
  scripts mapped to Latin, accents stripped, lower-cased, whitespace squeezed. Contact details are
  read from this form (digits intact).
- `match`: `clean` with leetspeak undone inside words ("s3lf h4rm" -> "self harm") and letters
  spelled out with dots or dashes joined ("k.y.s" -> "kys"). Phrase rules read this form.
- `sentences`: `match` split into sentences, for the rules' clause logic and the sentence embedder.
- `numbers`: `clean` with numbers read as a person reads them: digits written as look-alike letters
  ("O77OO 9OO") or as words ("seven seven zero zero ..."). Phone numbers are read from this form.

Every form starts from the text a reader sees: Markdown formatting is taken out ("077**00**900123"
reads 07700900123) and a link shows its target beside its label. Algospeak is read as what it
stands for: coined words for suicide and self-harm ("sewerslide", "self delete") and risk words
masked with symbols ("s*icide", "su**ide"), each as a kind (a lexicon; a mask matched against the
risk words), beside the leetspeak and spelling-out above.
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


# ---- what a reader sees: Markdown ---------------------------------------------------------------------------
_MD_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\(\s*<?([^()\s>]{1,2000})>?(?:\s+[\"'][^\"'\n]{0,300}[\"'])?\s*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto|tel):[^>\s]{1,2000})>", re.I)
# paired emphasis, strike-through and code marks: "**00**", "~~x~~", "`x`" (underscores only at word
# edges, as Markdown reads them: "jess_xo_2011" is a name)
_MD_PAIRED = re.compile(r"(\*{1,3}|~~|`+)(?=\S)([^\n]{0,200}?\S)\1|(?<![\w])(_{1,3})(?=\S)([^\n]{0,200}?\S)\3(?![\w])")
_MD_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?=\S))", re.M)


def reader_text(text: str) -> str:
    """The text a reader sees once Markdown is rendered: formatting marks gone, each link as its
    label with its target beside it (a link can carry a number or a handle its label hides)."""
    if not any(c in text for c in "*_~`[<#>"):
        return text                                  # most posts: nothing to render
    text = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1).strip() else m.group(2), text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    for _ in range(3):                               # nested: ***x***, **a *b* c**
        new = _MD_PAIRED.sub(lambda m: m.group(2) if m.group(1) else m.group(4), text)
        if new == text:
            break
        text = new
    return _MD_LINE.sub("", text)


# ---- numbers as a person reads them ----------------------------------------------------------------------
_DIGIT_WORDS = {"zero": "0", "oh": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DW = "zero|oh|nought|nil|one|two|three|four|five|six|seven|eight|nine"
# six or more digit words in a row (a phone number), with "double"/"triple" and separators between
_DIGIT_WORD_RUN = re.compile(r"\b(?:(?:double|triple|treble)[ -])?(?:" + _DW + r")(?:[\s,.\-]+(?:(?:double|triple|treble)[ -])?(?:"
                             + _DW + r"|o|\d)){5,}\b|\b\d+(?:[\s,.\-]+(?:" + _DW + r"|\d+)){5,}\b")
_DIGIT_WORD = re.compile(r"(?:(double|triple|treble)[ -])?(" + _DW + r"|o|\d+)")
# a token of digits and the letters that look like them, with at least one digit: "o77oo", "9oo"
_LOOKALIKE = re.compile(r"(?<![\w@])(?=[oil]*\d)[0-9oil]{3,}+(?![\w@])")
_LOOKALIKE_TABLE = str.maketrans("oil", "011")


def _digit_words(m: re.Match) -> str:
    out = []
    for rep, word in _DIGIT_WORD.findall(m.group(0)):
        digit = _DIGIT_WORDS.get(word, "0" if word == "o" else word)
        out.append(digit * {"double": 2, "triple": 3, "treble": 3}.get(rep, 1))
    return "".join(out)


def read_numbers(clean: str) -> str:
    """`clean` with numbers spelled in words or in look-alike letters written as digits."""
    if not any(c.isdigit() for c in clean) and not any(w in clean for w in ("zero", "one", "two", "three", "four",
                                                                           "five", "six", "seven", "eight", "nine")):
        return clean
    clean = _DIGIT_WORD_RUN.sub(_digit_words, clean)
    return _LOOKALIKE.sub(lambda m: m.group(0).translate(_LOOKALIKE_TABLE), clean)


# ---- algospeak -----------------------------------------------------------------------------------------------
# coined words that stand for suicide and self-harm on platforms that filter the plain ones
_ALGOSPEAK = (
    (re.compile(r"\bsewer[\s\-]?slid(?:e|es|ing|ed)\b|\bsooi?cide\b|\bsuey?cide\b|\bsui(?:c|s)ide\b"), "suicide"),
    (re.compile(r"\bself[\s\-]?delet(?:e|ing|ed)\b|\bkermit (?:sewer ?slide|suicide)\b"), "kill myself"),
    (re.compile(r"\bunalive\b"), "unalive"),
    (re.compile(r"\bselfharm\b|\bsh(?= scars?\b)"), "self harm"),
)
# risk words a writer may mask with symbols so a filter passes them ("s*icide", "su**ide", "r#pe")
_MASKABLE = ("suicide", "suicidal", "selfharm", "kill", "killing", "rape", "raped", "abuse", "abused",
             "overdose", "cutting", "hang", "noose", "pills", "nudes")
_MASKED = re.compile(r"(?<![\w*#])[a-z*#]{3,12}+(?![\w*#])")


def _unmask(m: re.Match) -> str:
    token = m.group(0)
    if "*" not in token and "#" not in token or sum(c.isalpha() for c in token) < 2:
        return token
    rx = re.compile("".join("[a-z]" if c in "*#" else re.escape(c) for c in token))
    hits = [w for w in _MASKABLE if len(w) == len(token) and rx.fullmatch(w)]
    return hits[0] if len(hits) == 1 else token


def read_algospeak(match: str) -> str:
    if "*" in match or "#" in match:
        match = _MASKED.sub(_unmask, match)
    for rx, plain in _ALGOSPEAK:
        if plain == "unalive":
            continue                               # the rules read "unalive" as it is
        match = rx.sub(plain, match)
    return match


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
    numbers: str = ""

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
    text = reader_text(unicodedata.normalize("NFKC", text)).translate(_APOSTROPHES)
    low = text.lower()
    mixed = not low.isascii() and bool(_HOMOGLYPH_RX.search(low)) and bool(re.search(r"[a-z]", low))
    low = low.translate(_HOMOGLYPH_TABLE)
    low = _strip_marks(low)
    low = _WS.sub(" ", low).strip()
    low = re.sub(r" *\n[\s\n]*", "\n", low)
    clean = low
    match = read_algospeak(_REPEATS.sub(r"\1\1", _join_spelled(_undo_leet(clean))))
    return Normalised(raw=raw, clean=clean, match=match, sentences=split_sentences(match),
                      truncated=truncated, binary_junk=binary, zero_width=zero_width,
                      mixed_script=mixed, notes=notes, numbers=read_numbers(clean))
