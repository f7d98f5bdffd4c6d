"""Village moderation: `screen(text, context) -> Verdict`, the one door every user text passes.

The core (classifiers, policy, screen) imports nothing from Flask. Typical use:

    from moderation import screen, ScreenContext
    v = screen("text", ScreenContext(audience="young_people", kind="post", author_age_band="young_person"))

At startup an application calls `moderation.configure(moderation.settings.from_env(os.environ))`
and, optionally, `moderation.warm_up()` so the first text does not wait for the models.
"""
from moderation.screen import (ScreenContext, Verdict, configure, get_settings, screen, screen_many,
                               warm_up)
from moderation.settings import Settings, from_env

__all__ = ["screen", "screen_many", "ScreenContext", "Verdict", "configure", "get_settings", "warm_up",
           "Settings", "from_env"]
