"""Behaviour of `screen` through its public interface (rules tier unless a test says otherwise)."""
import json
import time

import pytest

import moderation
from moderation import ScreenContext, Verdict, screen, screen_many
from moderation.classifiers import Signal
from moderation.settings import Settings


def test_recovery_story_is_not_a_disclosure(young, rules_only):
    v = screen("I used to self harm but I've been clean a year", young, rules_only)
    assert v.action == "publish"
    # the rule fired and was read as the past: visible in the evidence
    assert any(e["status"] == "past" and e["category"] == "self_harm_suicide" for e in v.evidence)


def test_intent_with_a_time_escalates_as_urgent(young, rules_only):
    v = screen("I'm going to end it this weekend", young, rules_only)
    assert v.action == "escalate"
    assert v.severity == "urgent"
    assert "self_harm_suicide" in v.categories
    assert v.show_helplines


def test_disclosure_about_a_friend_counts(young, rules_only):
    v = screen("my best mate showed me she's been cutting herself and made me promise not to tell", young,
               rules_only)
    assert v.action == "escalate"
    assert any("someone they know" in r for r in v.reasons)


@pytest.mark.parametrize("text", [
    "I'm literally dead after that PE lesson",
    "my toddler headbutted me again, ow",
    "we crushed the quiz night",
    "this maths homework is killing me lol",
    "How do I talk to my 13 year old about self harm?",
    "I would never hurt myself, I just needed to vent",
])
def test_hard_benign_texts_publish(text, parent, rules_only):
    assert screen(text, parent, rules_only).action == "publish"


def test_negated_and_topic_readings_are_shown_in_evidence(parent, rules_only):
    v = screen("I would never hurt myself", parent, rules_only)
    assert [e["status"] for e in v.evidence if e["signal"] == "rules"] == ["negated"]


def test_risk_wins_over_toxicity_and_is_never_rejected(young):
    s = Settings(semantic_enabled=False, toxicity_backend="profanity-check", toxicity_reject=0.5)
    v = screen("fuck you all, I'm going to kill myself tonight", young, s)
    assert v.action == "escalate"
    assert v.backend == "profanity-check"
    assert "toxicity" in v.categories and "self_harm_suicide" in v.categories


def test_toxicity_alone_flags_but_does_not_remove(parent):
    s = Settings(semantic_enabled=False, toxicity_backend="profanity-check")
    v = screen("you're a fucking idiot and a shit mother", parent, s)
    assert v.action == "publish_and_flag"
    assert "toxicity" in v.categories
    # swearing aimed at nobody is not abuse
    assert screen("omg this lesson is so fucking boring", parent, s).action == "publish"


def test_contact_details_held_on_youth_boards_flagged_on_parent_boards(young, parent, rules_only):
    text = "text me on 07700 900456 or add me on snap: jess_xo"
    assert screen(text, young, rules_only).action == "hold"
    p = screen(text, parent, rules_only)
    assert p.action == "publish_and_flag" and "contact_details" in p.categories
    # helpline numbers are not personal details
    assert screen("ring Childline on 0800 1111 or Samaritans 116 123", young, rules_only).action == "publish"


def test_invitations_to_leave_village_are_read_whatever_their_wording(young, rules_only):
    # links into a private chat or to a profile elsewhere, and asking to move the talk off Village:
    # nobody moderates it there
    for text in ("come join my server, way better than here discord.gg/Qx81za", "[our group](https://chat.whatsapp.com/Hh2kLm9)",
                 "find me at t.me/sunny_days", "can we move this convo to whatsapp", "wanna swap numbers?",
                 "lets take this to dms"):
        v = screen(text, young, rules_only)
        assert v.action == "hold" and "contact_details" in v.categories, text
    for text in ("my brother plays on discord all night", "we moved to a new flat", "swap shifts with my mum"):
        assert screen(text, young, rules_only).action == "publish", text


def test_grooming_markers_from_an_adult_escalate(rules_only):
    ctx = ScreenContext(audience="young_people", kind="message", author_age_band="adult", approved_posts=5)
    v = screen("how old are you? don't tell your parents we talk", ctx, rules_only)
    assert v.action == "escalate"
    assert "sexual_exploitation_grooming" in v.categories


def test_new_young_person_is_premoderated(rules_only):
    new = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=0)
    v = screen("hi everyone, just joined", new, rules_only)
    assert v.action == "hold"
    assert any("first" in r for r in v.reasons)
    parent_new = ScreenContext(audience="parents", author_age_band="adult", approved_posts=0)
    assert screen("hi everyone, just joined", parent_new, rules_only).action == "publish"


def test_a_board_can_be_fully_premoderated(young, rules_only):
    from dataclasses import replace
    s = replace(rules_only, audience_overrides={"young_people": {"premoderate_all": True}})
    assert screen("hello all", young, s).action == "hold"
    assert screen("I'm going to end it tonight", young, s).action == "escalate"


def test_spam_is_rejected_and_reject_is_configurable(parent, rules_only):
    text = "Earn £500 a day from home!!! click here www.quick-cash.xyz www.quick-cash.xyz/now"
    assert screen(text, parent, rules_only).action == "reject"
    from dataclasses import replace
    assert screen(text, parent, replace(rules_only, reject_spam=False)).action == "hold"


def test_repeated_text_and_posting_rate(rules_only):
    ctx = ScreenContext(audience="parents", author_age_band="adult", approved_posts=30,
                        recent_texts=("anyone selling a cheap pram near Loughborough?",) * 2,
                        posts_last_10_minutes=12)
    v = screen("anyone selling a cheap pram near Loughborough?", ctx, rules_only)
    assert "spam" in v.categories and v.action in ("hold", "reject")


@pytest.mark.parametrize("text", ["", None, b"\x00\xff\xfe" * 300, "x" * 100_001, "\u200b" * 50,
                                  "👍" * 5000, "k.y.s", 42])
def test_bad_input_never_raises(text, young, rules_only):
    v = screen(text, young, rules_only)
    assert isinstance(v, Verdict)
    json.dumps(v.to_dict())


def test_long_text_is_still_read_for_risk(parent, rules_only):
    from dataclasses import replace
    v = screen("lovely day at the park. " * 4000 + "I want to kill myself", parent,
               replace(rules_only, time_budget_ms=10_000))
    assert v.action == "escalate"


def test_a_classifier_that_raises_holds_the_text(monkeypatch, parent, rules_only):
    from moderation.classifiers import contact

    def boom(doc):
        raise RuntimeError("broken")
    monkeypatch.setattr(contact, "analyse", boom)
    v = screen("a perfectly nice post about the park", parent, rules_only)
    assert v.action == "hold"
    assert any("screening unavailable" in r for r in v.reasons)


def test_a_classifier_over_its_time_budget_holds_the_text(monkeypatch, parent):
    from moderation.classifiers import toxicity

    class Slow:
        name = "slow"

        def score_many(self, texts):
            time.sleep(0.3)
            return [{"toxicity": 0.0} for _ in texts]
    slow = Slow()
    monkeypatch.setattr(toxicity, "backend_for", lambda settings: slow)
    monkeypatch.setattr(toxicity, "loaded_backend", lambda settings: slow)
    s = Settings(semantic_enabled=False, time_budget_ms=50)
    v = screen("a perfectly nice post about the park", parent, s)
    assert v.action == "hold"
    assert any("screening unavailable" in r and "budget" in r for r in v.reasons)
    # late work is dropped, not queued: ten late texts do not make each other later still
    t0 = time.perf_counter()
    assert all(screen(f"post {i}", parent, s).action == "hold" for i in range(10))
    assert time.perf_counter() - t0 < 2.0
    # a disclosure still escalates when a classifier fails
    assert screen("I'm going to kill myself tonight", parent, s).action == "escalate"


def test_a_backend_that_fails_to_load_holds(parent):
    s = Settings(semantic_enabled=False, toxicity_backend="detoxify", detoxify_checkpoint="/nonexistent.ckpt")
    v = screen("hello", parent, s)
    assert v.action == "hold" and "screening unavailable" in v.reasons[0]


def test_even_a_broken_policy_never_raises(monkeypatch, parent, rules_only):
    from moderation import policy
    monkeypatch.setattr(policy, "decide", lambda *a, **k: 1 / 0)
    v = screen("hello", parent, rules_only)
    assert v.action == "hold" and v.reasons == ["screening unavailable"]


def test_screen_many_matches_screen(young, parent, rules_only):
    texts = ["hello all", "I'm going to end it this weekend", "add me on snap: jess_xo", ""]
    many = screen_many(texts, [young, young, young, parent], rules_only)
    assert [v.action for v in many] == [screen(t, c, rules_only).action
                                        for t, c in zip(texts, [young, young, young, parent])]
    assert len(screen_many(texts, young, rules_only)) == 4


def test_verdict_round_trips_through_json(young, rules_only):
    v = screen("my stepdad hits me and I'm scared to go home", young, rules_only)
    d = json.loads(json.dumps(v.to_dict()))
    assert d["action"] == "escalate" and d["severity"] in ("urgent", "high")
    assert Verdict.from_dict(d).categories == v.categories
    assert {"signal", "category", "score", "evidence"} <= set(d["evidence"][0])


def test_a_finding_writes_every_field():
    from dataclasses import fields

    from moderation.classifiers import Finding
    f = Finding("rules", "fgm", 0.123456, "why", extra={"sentence": "s"})
    assert set(f.to_dict()) == {x.name for x in fields(Finding)}
    assert f.to_dict()["score"] == 0.1235
    assert "extra" not in Finding("rules", "fgm", 0.5, "why").to_dict()


def test_configure_sets_process_defaults(monkeypatch):
    old = moderation.get_settings()
    try:
        moderation.configure(Settings(semantic_enabled=False, toxicity_backend="none", time_budget_ms=123))
        assert moderation.get_settings().time_budget_ms == 123
        assert screen("hello", ScreenContext(audience="parents", approved_posts=3)).backend == "none"
    finally:
        moderation.configure(old)


def test_profanity_backend_matches_the_library_exactly():
    from profanity_check import predict_prob

    from moderation.classifiers.toxicity import ProfanityBackend
    from moderation.__main__ import read_jsonl
    from pathlib import Path
    texts = [r["text"] for r in read_jsonl(str(Path(__file__).parents[1] / "data" / "moderation_eval.jsonl"))]
    b = ProfanityBackend()
    assert b._fast
    ours = [s["toxicity"] for s in b.score_many(texts)]
    assert max(abs(a - float(c)) for a, c in zip(ours, predict_prob(texts))) < 1e-9


def test_a_single_word_never_escalates_on_a_semantic_match_alone():
    # "Sleep" as a thread title sits close to "I just want to sleep forever"; one word is too little to
    # read intent from, so a person looks at it instead of the safeguarding lead being paged.
    for audience, band in (("parents", "adult"), ("young_people", "young_person")):
        verdict = screen("Sleep", ScreenContext(audience=audience, kind="thread_title", author_age_band=band, approved_posts=5))
        assert verdict.action != "escalate", (audience, verdict.reasons)
        longer = screen("I just want to sleep forever", ScreenContext(audience=audience, author_age_band=band, approved_posts=5))
        assert longer.action == "escalate"


@pytest.mark.parametrize("text", [
    "my dad is gonna kill me when he sees the dent in the car lmao",
    "if my sister borrows my hoodie again im going to murder her",
    "i swear ill strangle my brother if he wakes me up at 6 again",
    "i was bullied in primary but its all sorted now, new school is great",
    "my brother locked me in the bathroom as a joke lol",
    "shh dont tell anyone but we're planning a surprise party for mum, our little secret",
    "my nan overdosed two years ago today and I still miss her",
    "if i have to sit through one more double chemistry im actually gonna die 💀",
    "for RE we're doing arranged vs forced marriage, whats actually the difference? teacher wants us to research it for homework",
    "Just done my Level 2 safeguarding for my new TA job. The bit on FGM and forced marriage was eye-opening.",
    "Studying criminology and my module this term is on modern slavery and county lines. Heavy going but fascinating.",
    "I got a burn on my arm from the iron doing DH's shirts",
])
def test_figures_of_speech_and_things_that_are_over_do_not_page_anyone(text):
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    assert screen(text, ctx).action != "escalate"


@pytest.mark.parametrize("text", [
    # "in the summer" is as often ahead as behind: it does not make a plan the past
    "they're taking me abroad to get married in the summer, im 15",
    # a medicine by name, and an attempt told in passing in the middle of ordinary news
    "Got a sofa and a kettle, proper adult now lol. Took a load of my sertraline on Tuesday to see if I'd just "
    "not wake up, I did wake up obviously. Anyway does anyone know if Argos deliver on Sundays?",
    # a lesson on the subject in the sentence before does not make a plan for a sister a topic
    "we did FGM for PSHE today. my auntie says my little sister will get cut this summer back home",
    # a reported threat is not a 'what if anyone...' question
    "my step dad has been hurting my mum and he said if anyone calls the police he'll hurt her worse",
    "Hi all, I'm new here, I'm 14. Most evenings I go up to the top of the multi-storey in town and stand on "
    "the wall working up the courage. I'd really like to find people who like Stray Kids too!",
    "cant do uni anymore cant do anything. keep googling how long it takes and whether it hurts. sorry",
    "I saw a small round burn on the youngest's arm that looks like it's from a cigarette. She says he's great with them",
])
def test_plans_and_attempts_told_in_passing_escalate(text, rules_only):
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    assert screen(text, ctx, rules_only).action == "escalate"


def test_a_real_threat_from_someone_else_still_escalates():
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    assert screen("my stepdad said he will kill me if i tell anyone what he does", ctx).action == "escalate"


@pytest.mark.parametrize("text", [
    "Travellers are all thieves, lock your sheds",
    "people on benefits in this group are just leeches, get a job",
    "ur actually the thickest person on this whole forum",
    "Whoever keeps reporting my posts, grow a pair",
    "say that again tmrw and ur getting merked",
])
def test_hostility_with_no_swearing_is_read_by_a_person(text, young, parent, rules_only):
    on_parents = screen(text, parent, rules_only)
    assert on_parents.action == "publish_and_flag" and "hostility" in on_parents.categories, on_parents.reasons
    assert any(r.startswith("Hostile:") for r in on_parents.reasons)
    assert screen(text, young, rules_only).action == "hold"          # youth boards: before anyone sees it


@pytest.mark.parametrize("text", [
    "Immigrants are welcome here, our school has families from all over",
    "that was a stupid idea of mine, sorry everyone",
    "you're not useless, you're doing brilliantly with him",
    "the travellers' site by the common has a playgroup on Tuesdays",
])
def test_ordinary_talk_about_groups_and_words_is_not_hostile(text, parent, rules_only):
    assert "hostility" not in screen(text, parent, rules_only).categories


def test_an_adults_own_hateful_views_go_to_a_moderator_not_the_safeguarding_lead(parent):
    own_views = screen("Immigrants like the lot they've put in the hotel are all scroungers and rapists, "
                       "send the lot of them back", parent)
    assert own_views.action in ("publish_and_flag", "hold"), own_views.reasons
    assert "hostility" in own_views.categories
    # the same closeness to extremism in a worry about a child still reaches the safeguarding lead
    worry = screen("My 15 year old spends all night on a Telegram channel. He's started saying people like us are "
                   "being 'replaced' and someone needs to 'do something about it', and he's saved a list of the "
                   "mosques in our town. I'm frightened.", parent)
    assert worry.action == "escalate", worry.reasons


@pytest.mark.parametrize("benign, action", [(0.30, "escalate"), (0.50, "hold")])
def test_below_the_confident_line_a_risk_reading_must_outweigh_benign(benign, action, young):
    from moderation import policy
    from moderation.classifiers import DISCLOSURE, Finding, Signal
    reading = Finding("semantic", "self_harm_suicide", 0.45, "reads as self harm suicide", status=DISCLOSURE,
                      evidence="an exemplar", self_risk=True,
                      extra={"sentence": "some days i am not sure what the point is", "benign": benign})
    d = policy.decide({"semantic": Signal("semantic", findings=[reading])}, young, Settings())
    assert d.action == action, d.reasons



def test_below_the_confident_line_a_reading_beside_an_insult_goes_to_a_moderator(young):
    from moderation import policy
    from moderation.classifiers import DISCLOSURE, Finding, Signal
    text = "ur literally the dumbest person on this forum, no wonder nobody replies to u"
    reading = Finding("semantic", "self_harm_suicide", 0.50, "reads as self harm suicide", status=DISCLOSURE,
                      evidence="an exemplar", self_risk=True, extra={"sentence": text, "benign": 0.2})
    insult = Finding("hostility", "hostility", 0.6, "insult aimed at someone", evidence="ur literally the dumbest")
    alone = policy.decide({"semantic": Signal("semantic", findings=[reading])}, young, Settings())
    assert alone.action == "escalate"
    beside = policy.decide({"semantic": Signal("semantic", findings=[reading]),
                            "hostility": Signal("hostility", findings=[insult])}, young, Settings())
    assert beside.action == "hold" and {"self_harm_suicide", "hostility"} <= set(beside.categories), beside.reasons
    # a confident reading still reaches the safeguarding lead, insult or not
    sure = Finding("semantic", "self_harm_suicide", 0.95, "reads as self harm suicide", status=DISCLOSURE,
                   evidence="an exemplar", self_risk=True, extra={"sentence": text, "benign": 0.02})
    assert policy.decide({"semantic": Signal("semantic", findings=[sure]),
                          "hostility": Signal("hostility", findings=[insult])}, young, Settings()).action == "escalate"


@pytest.mark.parametrize("text", ["text me O77OO 9OO 123", "seven seven zero zero nine zero zero one two three",
                                  "077**00**900123", "[tap here](tel:07700900123)"])
def test_phone_numbers_dressed_up_are_still_contact_details(text, young, rules_only):
    v = screen(text, young, rules_only)
    assert v.action == "hold" and "contact_details" in v.categories, v.reasons


@pytest.mark.parametrize("text", ["going to sewerslide tonight", "gonna s*icide tonight, done with it all",
                                  "i want to self delete", "i want to unalive myself"])
def test_algospeak_for_suicide_escalates(text, young, rules_only):
    assert screen(text, young, rules_only).action == "escalate"


def test_odd_is_not_an_overdose(young, rules_only):
    # "od'd" is an overdose; "odd" is a word
    assert screen("is it odd for me being a teen wanting to cuddle with someone", young, rules_only).action == "publish"
    assert screen("i od'd last night and nobody knows", young, rules_only).action == "escalate"


@pytest.mark.parametrize("text", ["I take my inhaler every morning before school", "i take my vitamins every day",
                                  "I have been taking lessons from daily events", "i keep using music to cope",
                                  "I can't take it on alone", "I drink water every day and go to sleep early"])
def test_taking_something_every_day_is_not_substance_misuse_without_a_substance(text, young, rules_only):
    # "take" and "use" say nothing alone: a substance must be named beside them
    assert "substance_misuse" not in screen(text, young, rules_only).categories


@pytest.mark.parametrize("text", ["been smoking weed every day since summer", "i take xans every day to cope with school",
                                  "ive been taking my nans tramadol to sleep and now i need more"])
def test_a_substance_taken_often_or_to_cope_is_substance_misuse(text, young, rules_only):
    assert screen(text, young, rules_only).action == "escalate"
