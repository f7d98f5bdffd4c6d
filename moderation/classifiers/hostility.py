"""Hostility aimed at people: hateful generalisations about a group, insults and put-downs aimed at
another member, and playground threats. Not a safeguarding risk: a moderator should read it before
or soon after others do.

alt-profanity-check scores swearing, and most of these have none ("Travellers are all thieves",
"ur actually the thickest person on this forum"), so they were published unflagged. The patterns are
narrow on purpose: a group word alone, or an insult word alone, is ordinary talk ("immigrants are
welcome here", "that was a stupid idea of mine").
"""
from __future__ import annotations

import re

from moderation.classifiers import MARKER, Finding, Signal
from moderation.classifiers.literals import Gates
from moderation.normalise import Normalised

GROUP = (r"(?:immigrants|migrants|refugees|asylum seekers|foreigners|travellers|gypsies|pikeys|muslims|jews|"
         r"blacks|pakis|poles|romanians|gays|gay (?:people|couples|men|parents)|lesbians|trans (?:people|women|men|kids)|"
         r"disabled (?:people|kids)|people on benefits|benefit claimants|single mums|teen mums|chavs)")
SLUR = (r"(?:thieves|scroungers|leeches|rapists|criminals|animals|vermin|scum|parasites|terrorists|disgusting|"
        r"dirty|filthy|lazy|sub-?human|a disease|a plague|groomers|paedos|perverts|freaks|sick in the head|"
        r"not natural|unnatural|evil|a drain|breeding like rabbits)")
INSULT = (r"(?:thickest|stupidest|dumbest|ugliest|fattest|thick|stupid|dumb|ugly|fat|pathetic|useless|worthless|"
          r"vile|pig|cow|slag|slut|whore|bitch|twat|prick|dickhead|idiot|moron|loser|waste of space|retard\w*|mong|"
          r"spastic|spaz|nonce|tramp|skank)")

PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), why) for p, why in (
    (r"\b" + GROUP + r"\b[^.!?]{0,40}\b(?:are|r|is) (?:all |just |nothing but |basically |literally )*"
     r"(?:a (?:bunch|load|pack) of )?(?:\w+ )?" + SLUR + r"\b",
     "hateful generalisation about a group"),
    (r"\b" + GROUP + r"\b[^.!?]{0,30}\b(?:shouldn'?t|should not|should never|mustn'?t) be allowed to "
     r"(?:foster|adopt|have (?:kids|children)|be around (?:kids|children)|live here|vote|work|teach)\b",
     "says a group should be kept from family life or rights"),
    (r"\bsend (?:the (?:whole )?lot of )?(?:them|em) (?:all )?back\b|\bgo back to (?:your|their|ur) (?:own )?country\b",
     "tells people to go back where they came from"),
    (r"\b(?:you'?re|youre|you are|u r|ur|your|u)\b (?:actually |literally |honestly |such |so |just |a |an |the )*"
     + INSULT + r"\b(?! (?:idea|question|thing|game|film|song|joke))",
     "insult aimed at someone"),
    (r"\bgrow a pair\b|\bsad little (?:woman|man|boy|girl|cow)\b|\bno wonder (?:your|ur) (?:mum|dad|wife|husband|bf|gf|"
     r"boyfriend|girlfriend|kids?) (?:left|hates? you|cheated)\b|\bi know (?:exactly )?who you are\b",
     "put-down aimed at another member"),
    (r"\b(?:your|ur|yo|yer) (?:mum|mam|mom)(?:'?s| is)\b[^.!?]{0,60}\b(?:ride|ridden|had her|shagged|easy|slag|bike|"
     r"bus|on the game)\b",
     "sexual put-down about someone's mother"),
    (r"\b(?:find out|know|found out) where (?:you|u|he|she|they) li?ves?\b[^.!?]{0,40}\b(?:batter|beat|smash|kick|"
     r"sort|deck|jump|get)\b|\b(?:ur|you'?re|you are|u r) (?:gettin|getting|gonna get|going to get) "
     r"(?:merked|battered|smacked|jumped|banged|decked|slapped)\b",
     "threat aimed at someone"),
))
_GATES = Gates([rx for rx, _ in PATTERNS])


def analyse(doc: Normalised) -> Signal:
    findings: list[Finding] = []
    for rx, why in _GATES.filter(PATTERNS, doc.match):
        m = rx.search(doc.match)
        if m:
            findings.append(Finding("hostility", "hostility", 0.6, why, status=MARKER, evidence=m.group(0)[:160]))
    return Signal("hostility", scores={"hostility": 0.6 if findings else 0.0}, findings=findings)
