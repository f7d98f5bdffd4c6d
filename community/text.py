"""The one sanitiser: Markdown-lite in, safe HTML out.

Every piece of member-written text that is shown as HTML comes through `render`. Two layers:
Python-Markdown with its raw-HTML handling switched off (so `<b>` typed by a person stays text), then
bleach's allow-list as the last word on which tags, attributes and URL schemes survive.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

import bleach
import markdown
from bleach.linkifier import Linker
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_local = threading.local()


def _markdown() -> markdown.Markdown:
    # Markdown instances keep state between calls and are not thread-safe: one per thread.
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
        # Raw HTML is never passed through: typed tags are shown as text.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Images would load from other sites (tracking a child's IP address): not offered.
        for name in ("image_link", "image_reference", "short_image_ref"):
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        # Headings would let one post shout over the page; "# 1" stays a line of text.
        for name in ("hashheader", "setextheader"):
            md.parser.blockprocessors.deregister(name)
        _local.md = md
    md.reset()
    return md


def _nofollow(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http:", "https:", "mailto:")):
        attrs.pop((None, "href"), None)
        return attrs
    attrs[(None, "rel")] = "nofollow noopener ugc"
    return attrs


# No skip_tags: bleach 6 escapes text inside skipped tags twice.
_linker = Linker(callbacks=[_nofollow], parse_email=False)
_linker_lock = threading.Lock()


@lru_cache(maxsize=4096)
def render(text: str) -> Markup:
    """Markdown-lite (paragraphs, line breaks, bold, italics, code, lists, quotes, links) as safe HTML."""
    html = _markdown().convert(text or "")
    clean = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)
    with _linker_lock:  # the Linker's parser is shared
        linked = _linker.linkify(clean)
    return Markup(linked)


def excerpt(text: str, length: int = 200) -> str:
    """Plain text for lists and notifications (escaped by Jinja where it is shown)."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


URL_PATTERN = re.compile(
    r"(https?://|www\.|\]\(|\b[a-z0-9-]+\.(com|co\.uk|org\.uk|uk|net|org|io|ly|gg|me|tv|app|link|xyz|info)\b)",
    re.IGNORECASE,
)


def has_link(text: str) -> bool:
    """True if the text contains anything that looks like a web address."""
    return bool(URL_PATTERN.search(text or ""))


MENTION_PATTERN = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{3,30})\b")


def mentions(text: str) -> list[str]:
    """Usernames @mentioned in the text, first appearance order, without repeats."""
    seen: dict[str, None] = {}
    for name in MENTION_PATTERN.findall(text or ""):
        seen.setdefault(name.lower(), None)
    return list(seen)
