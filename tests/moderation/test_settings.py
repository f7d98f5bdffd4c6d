import pytest

from moderation.settings import Settings, from_env


def test_defaults_and_audience_overrides():
    s = Settings()
    assert s.time_budget_ms == 500
    assert s.for_audience("young_people").contact_action == "hold"
    assert s.for_audience("parents").contact_action == "publish_and_flag"
    # an unknown audience gets the strictest settings
    assert s.for_audience("martians").contact_action == "hold"


def test_from_env_reads_moderation_variables():
    s = from_env({
        "MODERATION_TIME_BUDGET_MS": "250",
        "MODERATION_REJECT_SPAM": "false",
        "MODERATION_TOXICITY_HOLD": "none",
        "MODERATION_DETOXIFY_CHECKPOINT": "/models/toxic.ckpt",
        "MODERATION_PARENTS__TOXICITY_HOLD": "0.95",
        "MODERATION_YOUNG_PEOPLE__PREMODERATE_FIRST_POSTS": "5",
        "MODERATION_SEMANTIC_ESCALATE_CATEGORIES": "self_harm_suicide,abuse_neglect",
        "UNRELATED": "x",
    })
    assert s.time_budget_ms == 250.0
    assert s.reject_spam is False
    assert s.toxicity_hold is None
    assert s.detoxify_checkpoint == "/models/toxic.ckpt"
    assert s.for_audience("parents").toxicity_hold == 0.95
    assert s.for_audience("young_people").premoderate_first_posts == 5
    assert s.for_audience("young_people").contact_action == "hold"   # other overrides kept
    assert s.semantic_escalate_categories == ("self_harm_suicide", "abuse_neglect")


def test_from_env_rejects_unknown_audience_settings():
    with pytest.raises(ValueError):
        from_env({"MODERATION_PARENTS__NO_SUCH_THING": "1"})


def test_an_action_setting_must_name_an_action():
    s = from_env({"MODERATION_HOSTILITY_ACTION": "hold", "MODERATION_PARENTS__CONTACT_ACTION": "publish"})
    assert s.hostility_action == "hold" and s.for_audience("parents").contact_action == "publish"
    with pytest.raises(ValueError, match="hostility_action"):
        from_env({"MODERATION_HOSTILITY_ACTION": "flag"})
