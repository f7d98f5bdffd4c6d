"""Contact details, personal information and grooming markers.

Personal details (UK phone numbers, emails, postcodes, street addresses, school + year group, social
handles, invitations to move off-platform or meet) make a person findable; grooming markers are the
behaviours in the text itself ("don't tell your parents", requests for pictures, an adult asking a
young person's age or where they live). Helpline numbers are not personal details.
"""
from __future__ import annotations

import re

from moderation.classifiers import MARKER, Finding, Signal
from moderation.classifiers.literals import Gates
from moderation.normalise import Normalised

HELPLINES = {"08001111", "116123", "85258", "08088005000", "999", "111", "08082000247", "08000282070",
             "08088024040", "03001233393", "08088020021", "08001116123", "08088010677", "08082347879",
             "08006895652", "0800681700", "08088084994", "08005877055", "101"}
_PHONE = re.compile(r"(?<![\d£$€.])(?:\+?44[\s\-.]?\(?0?\)?[\s\-.]?|0)(?:\d[\s\-.]?){8,10}\d(?![\d%])")
# a mobile number written without its leading 0 ("seven seven zero zero ..." reads 7700900123)
_MOBILE_NO_ZERO = re.compile(r"(?<![\d£$€.])7(?:\d[\s\-.]?){8}\d(?![\d%])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\b[\w.+-]+\s*(?:\(at\)|\[at\]| at )\s*[\w-]+\s*(?:\(dot\)|\[dot\]| dot )\s*(?:com|co\.uk|co dot uk|net|org|uk)\b")
_POSTCODE = re.compile(r"\b(?:[a-pr-uwyz][a-hk-y]?\d[a-hjkps-uw\d]?) ?\d[abd-hjlnp-uw-z]{2}\b")
_STREET = re.compile(r"\b\d{1,4}[a-z]?,? [a-z']+(?: [a-z']+)? (?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|court|ct|gardens|grove|place|terrace|row|walk|mews|hill|park|rise|view|square)\b")
_SCHOOL = re.compile(r"\b(?:i go to|i'?m at|im at|i am at|goes to|go to|attend|at) (?:st\.? |saint )?[a-z']+(?: [a-z']+){0,3} (?:academy|high|high school|school|college|grammar|primary|secondary|comp)\b")
_YEAR = re.compile(r"\b(?:year|yr|y) ?(?:[7-9]|1[0-3])\b")
_AGE_SELF = re.compile(r"\b(?:i'?m|im|i am|aged?)\s?(?:1[3-9]|2[0-5])\b(?: ?(?:yo|years? old|y/o|f|m))?")
_PLATFORMS = (r"snap|snapchat|sc|insta|ig|instagram|tiktok|tt|discord|whatsapp|whatsap|wa|telegram|kik|"
              r"wickr|signal|facebook|fb|messenger|twitter|threads|bereal|roblox|xbox|psn|steam|omegle|"
              r"monkey|yubo|wizz|hoop|session|kik")
_HANDLE = re.compile(r"(?<![\w.])@[a-z0-9_.]{3,30}\b|\b(?:" + _PLATFORMS + r")\s*(?:is|:|=|-|name|username|user|id|handle|@)\s*@?[a-z0-9_.]{3,30}\b")
_OFF_PLATFORM = re.compile(r"\b(?:add|message|msg|dm|pm|text|call|ring|phone|hmu|hit me up|follow|find|snap|friend) (?:me|us) (?:on|at|up on|over on|privately|in private)\b|"
                           r"\b(?:add|message|msg|dm|text|follow|find)(?: me)? (?:on|at) (?:" + _PLATFORMS + r")\b|"
                           r"\b(?:let'?s|we (?:should|could|can)|wanna|want to|shall we|can we) (?:talk|chat|move|go|take|carry on|speak)(?: (?:this|it|our|the)(?: convo| conversation| chat)?)? (?:on|to|over to|in|somewhere) (?:" + _PLATFORMS + r"|private|dms?|somewhere (?:else|private)|another app)\b|"
                           r"\b(?:what'?s|whats|wats|send me|give me|drop) (?:your|ur|yer) (?:number|snap|insta|socials|@|whatsapp|discord|address|email|addy|digits)\b|"
                           r"\b(?:swap|exchange|trade) (?:numbers|nums|digits|snaps|socials|instas|whatsapps|discords)\b")
# a link into a private chat or to a profile on another app: an invitation that leaves Village's moderation
_INVITE_LINK = re.compile(r"\b(?:discord(?:app)?\.(?:gg|com/invite)|chat\.whatsapp\.com|wa\.me|t\.me|telegram\.me|kik\.me|"
                          r"m\.me|snapchat\.com/add|(?:instagram|tiktok)\.com)/@?[a-z0-9_.\-]{2,}")
_MEET = re.compile(r"\b(?:meet|meet up|hang out|link up|link|come round|come over|pick you up) (?:irl|in person|in real life|after school|somewhere|at (?:the|mine|yours|my)|this (?:weekend|week|saturday|sunday|evening)|tonight|tomorrow|alone|just (?:us|the two of us)|near you|up sometime)\b|\b(?:where|what area|which (?:town|area|school|estate)) (?:do|d)? ?(?:you|u) (?:live|from|go to school|go|stay)\b")
_GROOMING = [
    (re.compile(r"\b(?:don'?t|dont|do not|never|no need to) (?:tell|show|say to) (?:your|ur|yer) (?:parents|mum|mom|dad|carers?|family|teachers?|foster \w+|social worker|friends)\b|\bdon'?t tell anyone\b|\b(?:our|a|this is our) (?:little )?secret\b|\bkeep (?:this|it) (?:between us|secret|to yourself)\b"), "asks a young person to keep secrets"),
    (re.compile(r"\b(?:send|show|snap) (?:me )?(?:a |some |any |more )?(?:pic|pics|picture|pictures|photo|photos|selfie|selfies|nudes?|vid|video|videos)\b(?:[^.]{0,20}\b(?:of (?:you|yourself|u|ur)|in (?:your|ur) (?:uniform|bed|pjs|underwear)|without|no one will see))?|\bwhat (?:are|r) (?:you|u) wearing\b|\bturn (?:your|ur) camera on\b"), "asks for pictures"),
    (re.compile(r"\bhow old (?:are|r) (?:you|u|ya)\b|\b(?:what|which) (?:age|year|school) (?:are|r) (?:you|u)(?: in| at)?\b|\bwhat year (?:are|r) (?:you|u) in\b|\b(?:are|r) (?:you|u) (?:home )?alone\b|\b(?:are|r) (?:your|ur) (?:parents|mum|dad) (?:home|in|out|around)\b|\bwhere (?:do|d) (?:you|u) live\b"), "asks age, school, location or whether alone"),
    (re.compile(r"\b(?:you'?re|your|ur|you are|u r) (?:so |really |very )?(?:mature|grown up|pretty|hot|sexy|fit|beautiful|special) for (?:your|ur) age\b|\b(?:i|we) (?:can|could|will|'ll) (?:buy|get|send|give) (?:you|u) (?:a |some |new )?(?:gift|present|phone|money|cash|vapes?|credit|robux|v-?bucks|skins|clothes|trainers|top up|alcohol|weed)\b|\bnobody (?:understands|gets) you (?:like|the way) i do\b|\bonly i (?:understand|get) you\b"), "flattery or gifts to a young person"),
    (re.compile(r"\bdelete (?:this|these|our|the) (?:chat|messages?|convo|conversation|pics?)\b|\b(?:use|on) (?:a )?(?:secret|private|hidden|vanish) (?:mode|chat|account|app)\b|\bsecret (?:account|app|chat)\b"), "asks to hide the conversation"),
]


def _phones(clean: str) -> list[str]:
    out = []
    for m in (*_PHONE.finditer(clean), *_MOBILE_NO_ZERO.finditer(clean)):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) == 10 and digits.startswith("7"):
            digits = "0" + digits
        if digits.startswith("44"):
            digits = "0" + digits[2:].lstrip("0")
        if digits in HELPLINES or not (10 <= len(digits) <= 11):
            continue
        if digits.startswith(("0800", "0808", "0300", "0330", "0345", "0845", "0844", "0370", "116")):
            continue  # freephone and non-geographic numbers: services, not people
        out.append(m.group(0).strip())
    return out


# the word patterns run only where their words are (see literals.py), each gated on the text it
# reads; the number patterns need a digit
_ON_CLEAN = (_EMAIL, _STREET, _SCHOOL, _HANDLE, _INVITE_LINK)
_ON_MATCH = (_OFF_PLATFORM, _MEET, *(rx for rx, _ in _GROOMING))
_GATED = _ON_CLEAN + _ON_MATCH
_CLEAN_GATES, _MATCH_GATES = Gates(_ON_CLEAN), Gates(_ON_MATCH)
_DIGIT = re.compile(r"\d")


def analyse(doc: Normalised) -> Signal:
    clean = doc.clean
    findings: list[Finding] = []
    digits = _DIGIT.search(clean) is not None
    opened = set(_CLEAN_GATES.filter(_ON_CLEAN, clean)) | set(_MATCH_GATES.filter(_ON_MATCH, doc.match))

    def add(category: str, score: float, reason: str, evidence: str) -> None:
        findings.append(Finding("contact", category, score, reason, status=MARKER, evidence=evidence[:120]))

    def each(rx: re.Pattern, text: str):
        return rx.finditer(text) if rx in opened else ()

    numbers = doc.numbers or clean
    for p in _phones(numbers) if _DIGIT.search(numbers) else ():
        add("contact_details", 0.9, "phone number", p)
    for m in each(_EMAIL, clean):
        add("contact_details", 0.9, "email address", m.group(0))
    for m in _POSTCODE.finditer(clean) if digits else ():
        if re.search(r"[a-z]", m.group(0)):
            add("contact_details", 0.7, "postcode", m.group(0))
    for m in each(_STREET, clean) if digits else ():
        add("contact_details", 0.8, "street address", m.group(0))
    school = _SCHOOL.search(clean) if _SCHOOL in opened else None
    if school and (_YEAR.search(clean) or _AGE_SELF.search(clean)):
        add("contact_details", 0.7, "school with year group or age", school.group(0))
    for m in each(_HANDLE, clean):
        if not re.fullmatch(r"@(?:everyone|here|mods?|admin|moderators?)", m.group(0)):
            add("contact_details", 0.8, "social media handle", m.group(0))
    for m in each(_INVITE_LINK, clean):
        add("contact_details", 0.8, "link to a private chat or a profile on another app", m.group(0))
    for m in each(_OFF_PLATFORM, doc.match):
        add("contact_details", 0.7, "invitation to talk off the platform", m.group(0))
    for m in each(_MEET, doc.match):
        add("meeting", 0.6, "invitation to meet or question about where someone lives", m.group(0))
    for rx, reason in _GROOMING:
        for m in each(rx, doc.match):
            add("grooming_marker", 0.8, reason, m.group(0))
    scores: dict[str, float] = {}
    for f in findings:
        key = f"contact.{f.category}"
        scores[key] = max(scores.get(key, 0.0), f.score)
    kinds = {f.reason for f in findings if f.category == "grooming_marker"}
    scores["contact.grooming_markers"] = float(len(kinds))
    return Signal("contact", scores=scores, findings=findings)
