"""Thresholds and switches for screening: one dataclass, defaults in code, overrides from the environment.

`from_env(os.environ)` reads `MODERATION_<FIELD>` for every field, and per-audience overrides as
`MODERATION_<AUDIENCE>__<FIELD>` (double underscore), e.g. `MODERATION_PARENTS__TOXICITY_HOLD=0.95`.
The Flask config calls it once; the core never imports Flask.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from moderation.classifiers import SAFEGUARDING

AUDIENCES = ("parents", "young_people", "young_adults")
ACTIONS = ("publish", "publish_and_flag", "hold", "reject", "escalate")


@dataclass(frozen=True)
class Settings:
    # --- failure handling -------------------------------------------------------------
    time_budget_ms: float = 500.0          # per classifier; over it -> hold "screening unavailable"
    max_chars: int = 100_000               # longer texts are checked up to here and held

    torch_threads: int = 0                 # torch CPU threads (0: torch's default, one per core; set 1
                                           # to leave a core free for the web workers)

    # --- safeguarding risk --------------------------------------------------------------
    rules_escalate: float = 0.8            # rule score at or above -> escalate
    rules_review: float = 0.45             # weaker rule evidence -> publish_and_flag / hold
    semantic_enabled: bool = True          # MiniLM + exemplar-trained classifier (needs torch + sentence-transformers)
    semantic_quantize: bool = True         # int8 Linear layers: ~3x faster on CPU, embeddings ~0.97 cosine of fp32
    semantic_tuned: bool = True            # use MiniLM fine-tuned on the exemplars where `python -m moderation train` built it
    semantic_tuned_dir: str = ""           # where the tuned weights are kept ("" = $XDG_CACHE_HOME/village or ~/.cache/village)
    # classifier probability of a risk category (12 classes with benign), alone, to escalate; chosen
    # on the dev splits of tests/data/moderation_eval.jsonl for recall >= 0.95 at <= 3% false
    semantic_escalate: float = 0.30
    semantic_review: float = 0.20          # ... to ask a person to look
    semantic_escalate_strong: float = 0.75  # ... so sure that it escalates in any category, whoever writes

    # categories the matcher may escalate on its own; hateful talk sits close to "radicalisation"
    # exemplars, so extremism needs the rules' concrete markers (groups, weapons, recruitment)
    semantic_escalate_categories: tuple[str, ...] = (
        "self_harm_suicide", "abuse_neglect", "domestic_abuse", "sexual_exploitation_grooming", "fgm",
        "forced_marriage", "bullying", "gangs_county_lines", "trafficking", "substance_misuse")
    # the post-level model (classifiers/post.py): a probability for the whole post, calibrated per
    # length band, decides whether a post pages a lead; its passages are the evidence. A passage the
    # classifier is sure of, or a rule's phrase, still pages a lead unless the post reads as almost no
    # risk (below its band's floor; then a moderator reads it). The thresholds are the per-band ones
    # chosen by cross-validation when it was built (moderation/MODEL_CARD.md) unless post_escalate /
    # post_review set them. Sessions 10-13 let it decide self-harm and suicide only (what its real
    # training posts teach) and passages the other categories; since session 14 it decides every
    # category: as many risk texts of the blind blocks reach a lead, fewer everyday ones and fewer long
    # teenage posts (their passages read as abuse or bullying). Off, passages decide every page (the
    # engine until session 10).
    post_model: bool = True
    post_model_categories: tuple[str, ...] = SAFEGUARDING
    # ... but in a post shorter than this (one passage) only these: there the passage names the category
    post_model_short_words: int = 30
    post_model_short_categories: tuple[str, ...] = ("self_harm_suicide",)
    # boards (by audience) where the same reading asks a moderator to look
    # at a post at or above its review threshold (publish_and_flag, never escalate): 11% of the real
    # r/SuicideWatch posts were otherwise published with nobody asked to look. Young people's boards
    # only: the reading was calibrated on young people's posts, and on a parents' board it flagged half
    # of ETHOS's clean comments (angry talk about the news reads as some risk)
    post_model_flags: tuple[str, ...] = ("young_people", "young_adults")
    post_escalate: float | None = None     # post risk at or above -> escalate
    post_review: float | None = None       # ... -> a person looks (flag, or hold on youth boards)
    semantic_min_words_to_escalate: int = 3  # a shorter match is reviewed, never escalated on its own
    # a parent writing about their own child's bullying / drinking is asking for advice:
    # flagged for a person, not escalated (a first-person disclosure always escalates)
    parent_concern_review_only: tuple[str, ...] = ("bullying", "substance_misuse")

    # --- toxicity -------------------------------------------------------------------------
    toxicity_backend: str = "auto"         # auto | detoxify | profanity-check | none
    detoxify_checkpoint: str = ""          # local .ckpt file in Detoxify's format
    detoxify_model_dir: str = ""           # local folder with the base model's config.json + tokenizer
    detoxify_quantize: bool = True         # int8 dynamic quantisation of Linear layers (CPU speed)
    detoxify_allow_unverified: bool = False  # load a checkpoint with no verifiable sha256
    toxicity_flag: float = 0.80            # publish_and_flag at or above
    toxicity_hold: float | None = None     # hold at or above (None: never hold on toxicity alone)
    toxicity_reject: float | None = None   # reject at or above (None: toxicity never removes a post)
    # labels that count, besides "toxicity", when Detoxify scores
    toxicity_labels: tuple[str, ...] = ("toxicity", "severe_toxicity", "threat", "insult", "identity_attack")

    hostility_action: str = "publish_and_flag"  # hateful generalisations, insults, threats at people
    # a moderator's look (classifiers/post.py, a regression over the post's MiniLM embeddings learnt
    # from the used blocks' `review` posts and hostile lines): distress without risk, a hard topic, a
    # past experience or hostility is published and flagged, so a moderator reads what no rule or risk
    # reading names
    moderator_look: bool = True

    # --- contact details and grooming markers ----------------------------------------------
    contact_action: str = "publish_and_flag"  # what personal contact details alone do
    grooming_escalate_markers: int = 2      # this many grooming markers in one text escalate

    # --- spam -----------------------------------------------------------------------------------
    spam_flag: float = 0.35
    spam_hold: float = 0.55
    spam_reject: float = 0.85
    reject_spam: bool = True
    rate_limit_10min: int = 8               # posts in 10 minutes that count as flooding
    max_links_new_account: int = 0          # links a brand-new account may post without review
    new_account_days: int = 2

    # --- pre-moderation ---------------------------------------------------------------------------
    premoderate_all: bool = False           # hold every text for a moderator (Kooth's model for youth boards)
    premoderate_first_posts: int = 0        # hold a young person's first N posts
    premoderate_sanctions: int = 2          # hold everything from authors with this many sanctions

    # per-audience overrides: audience -> {field: value}
    audience_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: {
        "young_people": {
            "contact_action": "hold",
            "hostility_action": "hold",
            "premoderate_first_posts": 3,
            "toxicity_flag": 0.80,
            "toxicity_hold": 0.97,
            "spam_hold": 0.45,
            "semantic_review": 0.15,
        },
        "young_adults": {
            "contact_action": "hold",
            "premoderate_first_posts": 1,
            "toxicity_hold": 0.98,
        },
    })

    def for_audience(self, audience: str | None) -> "Settings":
        """The settings with this audience's overrides applied (unknown audience: the strictest)."""
        audience = strictest_if_unknown(audience)
        over = dict(self.audience_overrides.get(audience, {}))
        if not over:
            return self
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in over.items() if k in known and k != "audience_overrides"})


DEFAULT = Settings()


def _coerce(value: str, current: Any, name: str) -> Any:
    value = value.strip()
    f = {f.name: f for f in fields(Settings)}[name]
    typ = str(f.type)
    if isinstance(current, bool) or typ == "bool":
        return value.lower() in ("1", "true", "yes", "on")
    if "tuple" in typ:
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if value.lower() in ("", "none", "off", "null") and "None" in typ:
        return None
    if typ == "int":
        return int(value)
    if "float" in typ:
        return float(value)
    if name.endswith("_action") and value not in ACTIONS:
        raise ValueError(f"{name} must be one of {', '.join(ACTIONS)}, not {value!r}")
    return value


def strictest_if_unknown(audience: str | None) -> str:
    """The audience, or young people's (the strictest settings) when it is not one Village knows."""
    return audience if audience in AUDIENCES else "young_people"


def from_env(environ: Mapping[str, str] | None = None, base: Settings | None = None) -> Settings:
    """Settings from `MODERATION_*` variables; unknown or malformed values raise ValueError at startup."""
    environ = os.environ if environ is None else environ
    base = base or Settings()
    names = {f.name for f in fields(Settings) if f.name != "audience_overrides"}
    top: dict[str, Any] = {}
    overrides = {k: dict(v) for k, v in base.audience_overrides.items()}
    for key, raw in environ.items():
        if not key.startswith("MODERATION_"):
            continue
        rest = key[len("MODERATION_"):]
        if "__" in rest:
            aud, _, name = rest.partition("__")
            aud, name = aud.lower(), name.lower()
            if aud not in AUDIENCES or name not in names:
                raise ValueError(f"unknown moderation setting {key}")
            overrides.setdefault(aud, {})[name] = _coerce(raw, getattr(base, name), name)
            continue
        name = rest.lower()
        if name not in names:
            # MODERATION_* variables that are not settings (for example paths used by scripts)
            continue
        top[name] = _coerce(raw, getattr(base, name), name)
    return replace(base, audience_overrides=overrides, **top)


def as_dict(settings: Settings) -> dict[str, Any]:
    d = dataclasses.asdict(settings)
    d["audience_overrides"] = {k: dict(v) for k, v in settings.audience_overrides.items()}
    return d
