"""No payload from the XSS list survives the posting path as live markup.

Every payload goes through the sanitiser as the posting path renders it; a random sample is posted for
real (service + thread page) and the page is parsed. The browser half is in tests/e2e/test_forums_e2e.py.
"""
from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from community.config import ROOT
from community.forums import service
from community.text import ALLOWED_TAGS, render
from community.models import Role

PAYLOADS_FILE = ROOT.parent / "shared" / "eval" / "xss-payload-list.txt"
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")


def payloads() -> list[str]:
    if not PAYLOADS_FILE.exists():
        pytest.skip(f"{PAYLOADS_FILE} not found")
    return [line for line in PAYLOADS_FILE.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]


class Inspector(HTMLParser):
    """Collects every problem a browser could act on: script-capable tags, handlers, script URLs."""

    def __init__(self, allowed_tags: frozenset[str] | None):
        super().__init__(convert_charrefs=True)
        self.allowed = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta", "link",
                   "form", "img", "video", "audio", "frame", "frameset", "applet"} and self.allowed is not None:
            self.problems.append(f"<{tag}>")
        if self.allowed is not None and tag not in self.allowed:
            self.problems.append(f"<{tag}> is not allowed")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"{tag} has {name}")
            if name.lower() in {"href", "src", "action", "formaction", "xlink:href", "style", "srcdoc"}:
                compact = "".join(ch for ch in (value or "") if ch > " ").lower()
                if compact.startswith(DANGEROUS_SCHEMES) or name.lower() in {"style", "srcdoc"}:
                    self.problems.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag


def problems_in(html: str, allowed_tags=ALLOWED_TAGS) -> list[str]:
    inspector = Inspector(allowed_tags)
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_every_payload_is_neutralised_by_the_sanitiser():
    failures = {}
    for payload in payloads():
        found = problems_in(str(render(payload)))
        if found:
            failures[payload] = found
    assert not failures, list(failures.items())[:10]


def test_a_random_sample_posted_for_real_renders_safely(app, make_user, make_board, client_for, verdict):
    """Through start_thread/reply and the real thread page, as another member sees it."""
    verdict("publish")  # screening's decisions are tested elsewhere; here every payload must be shown
    app.config["FORUM_POSTS_PER_MINUTE"] = 0
    app.config["FORUM_PAGE_SIZE"] = 250
    try:
        author = make_user()
        board = make_board()
        sample = random.sample(payloads(), 200)
        thread = service.start_thread(author, board, sample[0][:150] or "title", sample[0]).thread
        for payload in sample[1:]:
            service.reply(author, thread, payload)
        reader, _ = client_for(Role.PARENT_CARER)
        html = reader.get(f"/boards/t/{thread.id}").get_data(as_text=True)
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6
        app.config["FORUM_PAGE_SIZE"] = 20
    # the whole page: no handlers, no script URLs, and only our own script tags (from /static)
    inspector = Inspector(None)
    inspector.feed(html)
    assert not inspector.problems, inspector.problems[:10]
    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 3 and all('src="/static/' in tag for tag in scripts), scripts  # app, socket.io, forums
    assert html.count("<article") == 201  # every post is on the page (one is the template for live posts)
