"""Scores + audience + author context -> an action, a severity and reasons a moderator reads at a glance.

Order of precedence:
1. Risk wins. A disclosure of risk (rules or semantic) escalates; it is never rejected or blocked,
   whatever its toxicity. Weaker risk evidence asks a person to look.
2. Screening that failed or ran out of time holds the text ("screening unavailable") - unless it
   already escalates.
3. Spam may be rejected (configurable); toxicity alone never removes a post: it decides what a
   person reviews (flag) and, where configured, holds it until they do.
4. Contact details and grooming markers: held on youth boards, flagged on parent boards; grooming
   markers from an adult to a young person escalate.
5. Pre-moderation: a young person's first posts and sanctioned authors are held.
All thresholds come from `Settings` (with per-audience overrides), none from this code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moderation.classifiers import (DISCLOSURE, INDIRECT, MARKER, NEGATED, PAST, SAFEGUARDING, THIRD_PARTY,
                                    TOPIC, Finding, Signal)
from moderation.settings import Settings, strictest_if_unknown

RANK = {"publish": 0, "publish_and_flag": 1, "hold": 2, "reject": 3, "escalate": 4}
SEVERITY_RANK = {"standard": 0, "high": 1, "urgent": 2}
HIGH_CATEGORIES = {"self_harm_suicide", "abuse_neglect", "domestic_abuse", "sexual_exploitation_grooming",
                   "fgm", "forced_marriage", "radicalisation", "gangs_county_lines", "trafficking"}
# long-past abuse told by a young person is still a disclosure to act on
PAST_STILL_RISK_FOR_YOUNG = {"abuse_neglect", "sexual_exploitation_grooming", "fgm", "forced_marriage", "trafficking"}
LABEL = {
    "self_harm_suicide": "Self-harm or suicide", "abuse_neglect": "Abuse or neglect",
    "domestic_abuse": "Domestic abuse", "sexual_exploitation_grooming": "Sexual exploitation or grooming",
    "fgm": "FGM", "forced_marriage": "Forced marriage", "radicalisation": "Radicalisation or extremism",
    "bullying": "Bullying", "gangs_county_lines": "Gangs or county lines",
    "trafficking": "Trafficking or modern slavery", "substance_misuse": "Substance misuse",
    "contact_details": "Contact details", "toxicity": "Toxicity", "hostility": "Hostility", "spam": "Spam",
}


@dataclass
class Decision:
    action: str = "publish"
    severity: str = "standard"
    categories: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    show_helplines: bool = False

    def raise_to(self, action: str, reason: str | None = None, severity: str = "standard",
                 category: str | None = None) -> None:
        if RANK[action] > RANK[self.action]:
            self.action = action
        if SEVERITY_RANK[severity] > SEVERITY_RANK[self.severity]:
            self.severity = severity
        if reason and reason not in self.reasons:
            self.reasons.append(reason)
        if category and category not in self.categories:
            self.categories.append(category)


def _young(ctx) -> bool:
    return ctx.author_age_band in ("young_person", "young_adult") or ctx.audience in ("young_people", "young_adults")


def _author_is_parent(ctx) -> bool:
    return ctx.audience == "parents" or ctx.author_age_band == "adult"


def _confident(sem: Finding | None, suppressed: str | None, settings: Settings, ctx) -> bool:
    if sem is None or sem.score < settings.semantic_escalate_strong:
        return False
    if sem.status in (PAST, NEGATED) or suppressed in (PAST, NEGATED):
        return False
    if (sem.category not in settings.semantic_escalate_categories and _author_is_parent(ctx)
            and not sem.extra.get("someone")):
        # an adult's own views on a parents' board ("send them all back") read close to extremism,
        # but nobody is at risk in them: a moderator reads them instead of a safeguarding lead
        return False
    return len(sem.extra.get("sentence", "").split()) >= settings.semantic_min_words_to_escalate


def decide(signals: dict[str, Signal], ctx, settings: Settings, notes: list[str] | None = None) -> Decision:
    d = Decision()
    rules = signals.get("rules") or Signal("rules")
    semantic = signals.get("semantic") or Signal("semantic", available=False)
    hostile = signals.get("hostility") or Signal("hostility")

    # ---- 1. safeguarding risk ------------------------------------------------------------------------
    suppressed: dict[str, str] = {}          # category -> status that says "not a disclosure"
    rule_hits: dict[str, list[Finding]] = {}
    for f in rules.findings:
        if f.category not in SAFEGUARDING:
            continue
        if f.status in (PAST, NEGATED, TOPIC):
            suppressed.setdefault(f.category, f.status)
            if f.status == PAST and f.category in PAST_STILL_RISK_FOR_YOUNG:
                if ctx.author_age_band in ("young_person", "young_adult") or (
                        ctx.audience in ("young_people", "young_adults") and ctx.author_age_band != "adult"):
                    rule_hits.setdefault(f.category, []).append(f)
                elif f.score > 0:
                    d.raise_to("publish_and_flag", f"{LABEL[f.category]} in the past: '{f.evidence}'",
                               "standard", f.category)
            continue
        rule_hits.setdefault(f.category, []).append(f)
    sem_hits: dict[str, Finding] = {}
    for f in semantic.findings:
        if f.category not in SAFEGUARDING:
            continue
        if f.status in (PAST, TOPIC) and f.category not in rule_hits:
            suppressed.setdefault(f.category, f.status)
        if f.category not in sem_hits or f.score > sem_hits[f.category].score:
            sem_hits[f.category] = f

    reading = _post_reading(semantic, settings) if ctx.kind in POST_KINDS else None
    # the categories whose pages the whole post decides; passages decide the others
    decides = settings.post_model_categories if settings.post_model and reading is not None else ()
    if reading is not None and reading.words < settings.post_model_short_words:
        # a short post is one passage, and the passage's reading names its category more surely than
        # the whole-post model, which learnt suicide against everyday talk ("off to my dad's for the
        # week, no wifi" read as domestic abuse at 0.94): the post decides only its own categories
        decides = tuple(c for c in decides if c in settings.post_model_short_categories)
    for cat in sorted(set(rule_hits) | set(sem_hits), key=lambda c: SAFEGUARDING.index(c)):
        hits = rule_hits.get(cat, [])
        sem = sem_hits.get(cat)
        top = max(hits, key=lambda f: f.score) if hits else None
        label = LABEL[cat]
        post = reading if cat in decides else None
        confident = _confident(sem, suppressed.get(cat), settings, ctx)
        if post is not None:
            # the whole post decides what the model's reading escalates; passages are its evidence
            if post.escalates and cat == post.category and top is None:
                continue          # escalated below, once, for the post (with a rule's words, here too)
            # a passage the classifier is sure of still pages a lead, unless the post as a whole reads
            # as almost no risk (below the floor a rule's phrase needs too): then a moderator reads it
            if confident and post.risk < post.floor and top is None:
                d.raise_to("hold" if _young(ctx) else "publish_and_flag",
                           f"{label}: one passage reads as a disclosure (probability {sem.score:.2f}) in "
                           f"'{sem.extra.get('sentence', '')[:80]}'; the post as a whole reads as risk at "
                           f"{post.risk:.2f} only", "high", cat)
                d.show_helplines = d.show_helplines or sem.self_risk
                continue
            confident = confident and post.risk >= post.floor
            if not confident and top is None:
                if sem is not None and suppressed.get(cat) is None:
                    # a passage reads as some risk, the post as a whole not enough to page a lead: a
                    # moderator looks (as the whole-post reading's own flag does)
                    whole = (f"reads as {post.risk:.2f}, below {post.escalate:.2f} to page a lead"
                             if post.risk < post.escalate else
                             f"reads most like {LABEL.get(post.category, post.category).lower()} ({post.risk:.2f})")
                    d.raise_to("publish_and_flag", f"{label}: a passage reads as some risk (probability "
                               f"{sem.score:.2f}) in '{sem.extra.get('sentence', '')[:80]}'; the post as a whole "
                               f"{whole}", "standard", cat)
                continue
        if confident:
            # The classifier, which learned topic talk, idioms and recovery as benign, is sure: that
            # outweighs the weaker readings below (a parent's concern, a category it may not escalate
            # alone, a word like "heard" that looks like talk about a topic). Past and negated stay out.
            if top is not None:
                reason = f"{label}: '{top.evidence}'; semantic agrees ({sem.score:.2f})"
            else:
                reason = (f"{label}: reads as a disclosure (probability {sem.score:.2f}), like '{sem.evidence}' "
                          f"in '{sem.extra.get('sentence', '')[:80]}'; rules did not match")
            d.raise_to("escalate", reason, "urgent" if any(f.urgent for f in hits) else "high", cat)
            d.show_helplines = True
            continue
        if top is not None:
            if top.status == PAST:
                top_score, who = 1.0, "earlier in life"
            else:
                top_score = top.score
                who = {DISCLOSURE: "the author", THIRD_PARTY: "someone they know", INDIRECT: "indirect",
                       MARKER: "aimed at someone"}.get(top.status, top.status)
            agree = ""
            if sem is not None:
                agree = f"; semantic agrees ({sem.score:.2f})"
            elif semantic.available and not semantic.error:
                agree = "; semantic did not match"
            reason = f"{label}: '{top.evidence}' ({who}){agree}"
            if top.status == MARKER:
                # "kys" and the like: harassment, a person must see it before others do
                d.raise_to("hold", reason, "high", cat)
                continue
            if top_score >= settings.rules_escalate and post is not None and post.risk < post.floor:
                # a phrase a rule knows, in a post that as a whole reads nothing like risk ("is this
                # odd", "how do u think youre gonna die ... car wreck"): a moderator reads it
                d.raise_to("hold" if _young(ctx) else "publish_and_flag",
                           reason + f"; the post as a whole reads as risk at {post.risk:.2f} only", "high", cat)
                if top.self_risk or top.status == DISCLOSURE:
                    d.show_helplines = True
                continue
            if top_score >= settings.rules_escalate:
                if (top.status == THIRD_PARTY and cat in settings.parent_concern_review_only
                        and _author_is_parent(ctx)):
                    d.raise_to("publish_and_flag", reason + " - a parent's concern", "high", cat)
                    d.show_helplines = True
                    continue
                severity = "urgent" if any(f.urgent for f in hits) else (
                    "high" if cat in HIGH_CATEGORIES else "standard")
                d.raise_to("escalate", reason, severity, cat)
                if top.status in (DISCLOSURE, INDIRECT, THIRD_PARTY, PAST):
                    d.show_helplines = True
                continue
            agrees = (sem is not None and sem.status == DISCLOSURE) if post is None else post.risk >= post.review
            if top_score >= settings.rules_review and agrees and top.status in (DISCLOSURE, THIRD_PARTY, INDIRECT):
                # two weak signals that agree: a person who can act should see it
                d.raise_to("escalate", reason, "high" if cat in HIGH_CATEGORIES else "standard", cat)
                d.show_helplines = True
                continue
            if top_score >= settings.rules_review:
                d.raise_to("hold" if _young(ctx) else "publish_and_flag", reason, "high", cat)
                if top.self_risk or top.status == DISCLOSURE:
                    d.show_helplines = True
                continue
        if sem is not None:
            status = suppressed.get(cat)
            reason = (f"{label}: sounds like '{sem.evidence}' ({sem.score:.2f}) in "
                      f"'{sem.extra.get('sentence', '')[:80]}'; rules "
                      + ({PAST: "read it as past/recovery", NEGATED: "read it as negated",
                          TOPIC: "read it as talk about the topic"}.get(status, "did not match")))
            # A word or two ("Sleep", a thread title) is too little to read intent from: a close match
            # asks a person to look instead of escalating.
            enough_words = len(sem.extra.get("sentence", "").split()) >= settings.semantic_min_words_to_escalate
            if not enough_words and sem.score < settings.semantic_escalate:
                continue  # "School run" near a bullying line: too little text to ask a person about
            # below the confident threshold the category must also outweigh "benign" in the same
            # passage: a worried-sounding but ordinary post (grief, a SENCO meeting, new medication)
            # often gives a risk category 0.3-0.5 while benign is more likely still. Nor beside an
            # insult aimed at another member: "no wonder nobody replies to u" is about them and reads
            # close to loneliness; the moderator who reads the insult sees it.
            if status is None and enough_words and sem.score >= settings.semantic_escalate and (
                    sem.score > sem.extra.get("benign", 0.0)) and not sem.extra.get(
                    "figurative") and cat in settings.semantic_escalate_categories and not (
                    cat in settings.parent_concern_review_only and _author_is_parent(ctx)) and not (
                    hostile.findings):
                d.raise_to("escalate", reason, "high" if cat in HIGH_CATEGORIES else "standard", cat)
                d.show_helplines = True
            elif status in (PAST, NEGATED, TOPIC):
                # the rules (or the sentence's own words) read it as past, negated or a topic:
                # published; the evidence keeps the reading for anyone who looks
                continue
            else:
                d.raise_to("hold" if _young(ctx) and status is None else "publish_and_flag", reason,
                           "high" if status is None and cat in HIGH_CATEGORIES else "standard", cat)
                if status is None and sem.self_risk:
                    d.show_helplines = True

    if reading is not None and reading.escalates and reading.category in decides:
        _escalate_post(d, reading, sem_hits)
    elif reading is not None and strictest_if_unknown(ctx.audience) in settings.post_model_flags:
        # the whole post still asks a moderator to look at what reads as some risk, so distress no
        # passage names is not published unseen
        _flag_post(d, reading, sem_hits)

    # ---- 2. contact details and grooming markers ------------------------------------------------------
    contact = signals.get("contact") or Signal("contact")
    markers = [f for f in contact.findings if f.category == "grooming_marker"]
    kinds = {f.reason for f in markers}
    details = [f for f in contact.findings if f.category == "contact_details"]
    meeting = [f for f in contact.findings if f.category == "meeting"]
    to_young = ctx.audience in ("young_people", "young_adults") or ctx.kind == "message"
    cat = "sexual_exploitation_grooming"
    if kinds and ctx.kind != "report_note":
        what = "; ".join(sorted(kinds))
        words = ", ".join(f"'{f.evidence}'" for f in markers[:3])
        if ctx.author_age_band == "adult" and to_young and ctx.audience != "parents":
            d.raise_to("escalate", f"Grooming markers from an adult to young people: {what} ({words})", "urgent"
                       if len(kinds) >= 2 else "high", cat)
        elif len(kinds) >= settings.grooming_escalate_markers:
            d.raise_to("escalate", f"Several grooming markers: {what} ({words})", "high", cat)
        else:
            d.raise_to("hold" if to_young else "publish_and_flag", f"Grooming marker: {what} ({words})",
                       "high", cat)
    if details and ctx.kind != "report_note":
        what = ", ".join(sorted({f.reason for f in details}))
        words = ", ".join(f"'{f.evidence}'" for f in details[:3])
        action = settings.contact_action
        if ctx.kind in ("profile", "group_description", "thread_title") and RANK[action] < RANK["hold"]:
            action = "hold"
        if meeting and to_young:
            action = "hold"
        d.raise_to(action, f"Contact details: {what} ({words})", "standard", "contact_details")
    elif meeting and to_young and ctx.kind != "report_note":
        d.raise_to(settings.contact_action, f"Invitation to meet: '{meeting[0].evidence}'", "standard",
                   "contact_details")

    # ---- 3. spam ------------------------------------------------------------------------------------
    spam = signals.get("spam") or Signal("spam")
    s = spam.scores.get("spam", 0.0)
    if s >= settings.spam_flag:
        why = "Spam: " + "; ".join(f.reason + (f" ({f.evidence})" if f.evidence else "") for f in spam.findings)
        if s >= settings.spam_reject and settings.reject_spam:
            d.raise_to("reject", why, "standard", "spam")
        elif s >= settings.spam_hold:
            d.raise_to("hold", why, "standard", "spam")
        else:
            d.raise_to("publish_and_flag", why, "standard", "spam")

    # ---- 4. toxicity ------------------------------------------------------------------------------------
    tox = signals.get("toxicity") or Signal("toxicity")
    t = tox.scores.get("toxicity", 0.0)
    if t >= settings.toxicity_flag and tox.findings and (tox.findings[0].extra.get("targeted", True)):
        f = tox.findings[0]
        why = f"Toxicity: {f.reason}"
        sev = "high" if t >= 0.9 else "standard"
        if settings.toxicity_reject is not None and t >= settings.toxicity_reject:
            d.raise_to("reject", why, sev, "toxicity")
        elif settings.toxicity_hold is not None and t >= settings.toxicity_hold:
            d.raise_to("hold", why, sev, "toxicity")
        else:
            d.raise_to("publish_and_flag", why, sev, "toxicity")

    # hateful generalisations, insults and threats aimed at people: a person reads them (on youth
    # boards before anyone else does); alone they never remove a post
    if hostile.findings and ctx.kind != "report_note":
        why = "Hostile: " + "; ".join(f"{f.reason} ('{f.evidence}')" for f in hostile.findings[:3])
        d.raise_to(settings.hostility_action, why, "standard", "hostility")

    # what a moderator should read though nobody is at risk now: distress, a hard topic, a past
    # experience, a heated exchange. Posts and messages only: a name or a title is too little to read
    look = semantic.scores.get("semantic.look") if (
        settings.moderator_look and ctx.kind in POST_KINDS and not semantic.error) else None
    if look is not None and look >= semantic.extra.get("look_threshold", 1.0):
        d.raise_to("publish_and_flag", f"A moderator should read this: it reads like distress, a hard topic, a past "
                   f"experience or a heated exchange (probability {look:.2f})", "standard")

    # ---- 5. pre-moderation ----------------------------------------------------------------------------
    if ctx.kind != "report_note":
        if settings.premoderate_all:
            d.raise_to("hold", "This board is pre-moderated: every post is checked by a moderator")
        if (ctx.author_age_band in ("young_person", "young_adult") and settings.premoderate_first_posts
                and (ctx.approved_posts or 0) < settings.premoderate_first_posts):
            d.raise_to("hold", f"New member: the first {settings.premoderate_first_posts} posts are checked "
                               "by a moderator")
        if settings.premoderate_sanctions and (ctx.previous_sanctions or 0) >= settings.premoderate_sanctions:
            d.raise_to("hold", f"Author has {ctx.previous_sanctions} previous sanctions: posts are checked first")

    # ---- 6. failures and odd input ------------------------------------------------------------------
    failed = [sig for sig in signals.values() if sig.error]
    if failed:
        names = ", ".join(f"{sig.name}: {sig.error}" for sig in failed)
        if d.action == "escalate":
            d.reasons.append(f"screening unavailable ({names})")
        else:
            d.raise_to("hold", f"screening unavailable ({names})", "high")
            if d.action == "reject":
                d.action = "hold"
    for note in notes or ():
        if "very long" in note or "binary" in note:
            d.raise_to("hold", note.capitalize(), "standard")

    # a risk never ends in reject: a person sees it
    if d.action == "reject" and any(c in SAFEGUARDING for c in d.categories):
        d.action = "hold"
    if d.action == "publish":
        d.severity = "standard"
    return d


@dataclass
class PostReading:
    risk: float              # calibrated probability that the post should reach a lead
    escalate: float          # thresholds in force
    review: float
    floor: float             # below it a rule's phrase alone does not page a lead
    category: str            # the risk class the passages read most strongly
    enough_words: bool = True  # a word or two is too little to read intent from (as for a passage)
    words: int = 1000          # the post's length in words

    @property
    def escalates(self) -> bool:
        return self.risk >= self.escalate and self.enough_words


# what the post-level reading was trained on: posts written to other people. Names, titles,
# profiles and descriptions are a few words, where its short band reads "Sunday club" as some risk.
POST_KINDS = ("post", "reply", "edit", "message")


def _post_reading(semantic: Signal, settings: Settings) -> PostReading | None:
    risk = semantic.scores.get("semantic.post_risk")
    if risk is None or semantic.error:
        return None
    esc = settings.post_escalate if settings.post_escalate is not None else semantic.extra.get("post_escalate", 1.0)
    rev = settings.post_review if settings.post_review is not None else semantic.extra.get("post_review", esc)
    return PostReading(risk=float(risk), escalate=float(esc), review=float(min(rev, esc)),
                       floor=float(semantic.extra.get("post_floor", 0.0)),
                       category=semantic.extra.get("post_category", "self_harm_suicide"),
                       enough_words=semantic.extra.get("post_words", 1000) >= settings.semantic_min_words_to_escalate,
                       words=int(semantic.extra.get("post_words", 1000)))


def _category_and_where(post: PostReading, sem_hits: dict[str, Finding]) -> tuple[str, str]:
    """The post's risk category, and its riskiest passage for the reason."""
    cat = post.category if post.category in LABEL else "self_harm_suicide"
    sem = sem_hits.get(cat)
    return cat, f"; most of all '{sem.extra.get('sentence', '')[:80]}'" if sem is not None else ""


def _flag_post(d: Decision, post: PostReading, sem_hits: dict[str, Finding]) -> None:
    """The post-level reading where passages decide escalation: it only asks a moderator to look."""
    if post.risk < post.review:
        return
    cat, where = _category_and_where(post, sem_hits)
    # the review threshold is low (almost no risky post falls under it), so many everyday posts
    # reach it: only a post that reads as strongly as a page would is high in the moderators' queue
    # and shows the writer helplines
    d.raise_to("publish_and_flag", f"{LABEL[cat]}: the post as a whole reads as some risk "
                                   f"(probability {post.risk:.2f}){where}", "high" if post.escalates else "standard", cat)
    d.show_helplines = d.show_helplines or post.escalates


def _escalate_post(d: Decision, post: PostReading, sem_hits: dict[str, Finding]) -> None:
    """The post-level reading decides a page: once, for the whole post."""
    cat, where = _category_and_where(post, sem_hits)
    d.raise_to("escalate", f"{LABEL[cat]}: the post as a whole reads as a risk to someone now "
                           f"(probability {post.risk:.2f}){where}", "high" if cat in HIGH_CATEGORIES else "standard", cat)
    d.show_helplines = True


def summarise_scores(signals: dict[str, Signal]) -> dict[str, Any]:
    out: dict[str, float] = {}
    for sig in signals.values():
        for k, v in sig.scores.items():
            out[k] = round(float(v), 4)
    return out
