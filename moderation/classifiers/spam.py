"""Spam: links, repeated text, posting rate and the words of adverts and scams."""
from __future__ import annotations

import re

from moderation.classifiers import MARKER, Finding, Signal
from moderation.normalise import Normalised

# services families are sent to: links to them are help, not spam
TRUSTED = ("nhs.uk", "gov.uk", "childline.org.uk", "samaritans.org", "shout.org.uk", "nspcc.org.uk",
           "youngminds.org.uk", "themix.org.uk", "kooth.com", "mind.org.uk", "barnardos.org.uk",
           "refuge.org.uk", "womensaid.org.uk", "familylives.org.uk", "ceop.police.uk", "police.uk",
           "citizensadvice.org.uk", "bbc.co.uk", "parliament.uk", "papyrus-uk.org", "beateatingdisorders.org.uk",
           "talktofrank.com", "stopitnow.org.uk", "iwf.org.uk", "anti-bullyingalliance.org.uk", "actionforchildren.org.uk",
           "fearless.org", "crimestoppers-uk.org", "karmanirvana.org.uk", "sendiass", "ipsea.org.uk", "contact.org.uk")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ly|xyz|info|biz|club|top|site|online|shop|co|me|uk|co\.uk|org\.uk|gg|link|ru|cn|tk)(?:/[^\s]*)?\b")
_SPAMMY = re.compile(r"\b(?:crypto|bitcoin|btc|forex|nft|binary options|investment (?:opportunity|plan)|passive income|earn £?\$?\d+|make £?\$?\d+k?|"
                     r"work from home|click (?:here|the link|below|my bio)|link in (?:my )?bio|free (?:iphone|gift ?cards?|robux|v-?bucks|followers|money)|"
                     r"dm (?:me )?for (?:more|info|details|prices)|viagra|cialis|casino|betting tips|payday loans?|cheap loans?|"
                     r"followers|subscribe to my|onlyfans|promo code|discount code|limited offer|act now|100% (?:free|guaranteed)|"
                     r"weight loss (?:pills|secret)|sugar daddy|cash ?app|giveaway|winner|claim your|whatsapp \+?\d)\b")


def _tokens(s: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", s))


def similar(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def analyse(doc: Normalised, ctx, settings) -> Signal:
    findings: list[Finding] = []
    score = 0.0
    links = [u for u in _URL.findall(doc.clean) if not any(t in u for t in TRUSTED)]
    new_account = (ctx.account_age_days or 0) < settings.new_account_days and (ctx.approved_posts or 0) == 0
    if links:
        s = 0.25 + 0.15 * min(len(links) - 1, 4)
        if new_account and len(links) > settings.max_links_new_account:
            s += 0.3
        score = max(score, min(s, 0.9))
        findings.append(Finding("spam", "spam", s, f"{len(links)} link(s)" + (" from a new account" if new_account else ""),
                                status=MARKER, evidence=", ".join(links[:3])[:160]))
    words = _SPAMMY.findall(doc.match)
    if words:
        s = 0.35 + 0.2 * min(len(set(words)) - 1, 3) + (0.25 if links else 0.0)
        score = max(score, min(s, 1.0))
        findings.append(Finding("spam", "spam", s, "advert or scam wording", status=MARKER,
                                evidence=", ".join(sorted(set(words)))[:160]))
    repeats = 0
    if doc.words >= 3:
        for prev in list(ctx.recent_texts or ())[:20]:
            try:
                if similar(doc.clean, str(prev).lower()) >= 0.85:
                    repeats += 1
            except Exception:
                continue
    if repeats:
        s = min(0.4 + 0.25 * repeats, 0.95)
        score = max(score, s)
        findings.append(Finding("spam", "spam", s, f"same text posted {repeats} time(s) before", status=MARKER))
    rate = ctx.posts_last_10_minutes or 0
    if rate >= settings.rate_limit_10min:
        s = min(0.5 + 0.05 * (rate - settings.rate_limit_10min), 0.9)
        score = max(score, s)
        findings.append(Finding("spam", "spam", s, f"{rate} posts in 10 minutes", status=MARKER))
    if doc.words >= 8:
        head = doc.raw[:5000]
        letters = sum(map(str.isalpha, head))
        if letters and sum(map(str.isupper, head)) / letters > 0.8:
            score = max(score, 0.2)
            findings.append(Finding("spam", "spam", 0.2, "shouting (all capitals)", status=MARKER))
    # several signals together are more than the strongest alone
    if len(findings) >= 2:
        score = min(1.0, score + 0.15 * (len(findings) - 1))
    return Signal("spam", scores={"spam": round(score, 4)}, findings=findings)
