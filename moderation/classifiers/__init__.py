"""Signals. Each module scores a normalised text and returns findings with reasons; none decides.

The shapes here are shared by every classifier and by `moderation.policy`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SAFEGUARDING = (
    "self_harm_suicide", "abuse_neglect", "domestic_abuse", "sexual_exploitation_grooming", "fgm",
    "forced_marriage", "radicalisation", "bullying", "gangs_county_lines", "trafficking",
    "substance_misuse",
)

# status of a risk finding
DISCLOSURE = "disclosure"        # the author says it is happening to them
THIRD_PARTY = "third_party"      # the author says it is happening to someone they know
INDIRECT = "indirect"            # hedged / "asking for a friend" / what-if about themselves
PAST = "past"                    # recovery or long-past, resolved
NEGATED = "negated"              # "I would never ..."
TOPIC = "topic"                  # talk about the subject (a lesson, an article, how to spot signs)
MARKER = "marker"                # a behaviour seen in the text itself (grooming request, spam link)


@dataclass
class Finding:
    signal: str
    category: str
    score: float
    reason: str
    status: str = MARKER
    evidence: str = ""            # the words that fired, or the nearest exemplar
    urgent: bool = False
    self_risk: bool = False       # the author may be at risk (show helplines)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies, and was a quarter of a batch's Python time
        d = {"signal": self.signal, "category": self.category, "score": round(float(self.score), 4),
             "reason": self.reason, "status": self.status, "evidence": self.evidence, "urgent": self.urgent,
             "self_risk": self.self_risk}
        if self.extra:
            d["extra"] = dict(self.extra)
        return d


@dataclass
class Signal:
    name: str
    scores: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    elapsed_ms: float = 0.0
    error: str | None = None      # raised or ran over budget: the policy holds
    available: bool = True        # False: this tier is not installed/configured (not an error)
    backend: str = ""
    extra: dict[str, Any] = field(default_factory=dict)   # what the policy needs besides scores
