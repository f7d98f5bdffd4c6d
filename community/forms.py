"""Shared form pieces."""
from __future__ import annotations

import unicodedata

from wtforms import Field


def clean_text(value: str | None) -> str:
    """Drop control characters (keeping new lines and tabs) and unpaired surrogates; trim the ends."""
    if not value:
        return ""
    value = value.encode("utf-8", "replace").decode("utf-8")
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    kept = (ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"})
    return "".join(kept).strip()


def strip_filter(value):
    return clean_text(value) if isinstance(value, str) else value


def first_error(field: Field) -> str | None:
    return field.errors[0] if field.errors else None


def page_number(value: str | None) -> int:
    """The page asked for in `?page=`: 1 to 100,000, or 1 for anything else (words, "²", "-3")."""
    value = value or "1"
    return max(1, min(int(value), 100_000)) if value.isascii() and value.isdigit() else 1
