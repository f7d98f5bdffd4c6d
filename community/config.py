"""Configuration, read from the environment in this one place.

The defaults are the embedded setup: a SQLite file in instance/, Socket.IO in-process, mail
printed to the log. Production sets VILLAGE_ENV=production and must give a real SECRET_KEY.
"""
from __future__ import annotations

import os
from pathlib import Path

from moderation import settings as moderation_settings

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

DEV_SECRET_KEY = "village-development-key-not-for-production"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely; the message is one plain line."""


class Config:
    """Every setting Village reads. README.md's configuration table documents each one."""

    def __init__(self, **overrides):
        env = os.environ
        self.VILLAGE_ENV = env.get("VILLAGE_ENV", "development")
        self.SECRET_KEY = env.get("SECRET_KEY", DEV_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = normalise_db_url(
            env.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'village.db'}")
        )
        self.REDIS_URL = env.get("REDIS_URL") or None
        # Socket.IO fans out through Redis when several server processes run.
        self.SOCKETIO_MESSAGE_QUEUE = self.REDIS_URL
        self.SOCKETIO_CHANNEL = env.get("SOCKETIO_CHANNEL", "village-socketio")
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or "memory://"
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        # Redis going away must not lock anyone out: the same limits are then counted in this process's
        # memory (Flask-Limiter logs the switch once, and checks Redis again with a back-off), and a
        # storage error is logged instead of answering 500. Short timeouts so a silent Redis costs a
        # second, not a hung request.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        if self.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")):
            self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "20 per minute")
        self.LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)
        self.PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)

        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)
        self.MAX_FORM_MEMORY_SIZE = self.MAX_CONTENT_LENGTH
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", self.VILLAGE_ENV == "production")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = _int("WTF_CSRF_TIME_LIMIT", 3600 * 8)
        self.WTF_CSRF_ENABLED = True

        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = _int("MAIL_PORT", 587)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_FROM = env.get("MAIL_FROM", "Village <no-reply@village.local>")

        self.FORUM_POST_MAX_CHARS = _int("FORUM_POST_MAX_CHARS", 10_000)
        self.FORUM_PAGE_SIZE = _int("FORUM_PAGE_SIZE", 20)
        self.FORUM_POSTS_PER_MINUTE = _int("FORUM_POSTS_PER_MINUTE", 6)
        # A socket sending more events than this in 10 seconds is disconnected (flood control); 0 is off.
        self.FORUM_SOCKET_FLOOD_EVENTS = _int("FORUM_SOCKET_FLOOD_EVENTS", 100)
        # Review queue (community/review): how long a moderator's claim on an item lasts, how many reports
        # from different people hide a post until it is reviewed, and items per queue page.
        self.REVIEW_CLAIM_MINUTES = _int("REVIEW_CLAIM_MINUTES", 15)
        self.REVIEW_REPORTS_TO_HIDE = _int("REVIEW_REPORTS_TO_HIDE", 3)
        self.REVIEW_PAGE_SIZE = _int("REVIEW_PAGE_SIZE", 25)
        self.TIMEZONE = env.get("VILLAGE_TIMEZONE", "Europe/London")
        # Screening thresholds and models: MODERATION_* variables, read by the moderation core itself
        # (it runs without Flask too); a malformed value stops start-up with a clear error.
        self.MODERATION = moderation_settings.from_env(env)
        self.HOST = env.get("HOST", "127.0.0.1")
        self.PORT = _int("PORT", 5000)

        # Safeguarding (issue 12): how long a lead has to acknowledge a case, by severity. Standard cases
        # are due by the end of the next working day (England's bank holidays are not working days).
        self.SAFEGUARDING_ACK_URGENT_MINUTES = _int("SAFEGUARDING_ACK_URGENT_MINUTES", 15)
        self.SAFEGUARDING_ACK_HIGH_MINUTES = _int("SAFEGUARDING_ACK_HIGH_MINUTES", 60)
        self.SAFEGUARDING_WORKDAY_END = env.get("SAFEGUARDING_WORKDAY_END", "17:00")  # Europe/London
        # The background worker (community/worker.py): a thread in each serving process unless separate
        # `flask worker` processes run.
        self.SAFEGUARDING_WORKER_IN_SERVER = _bool("SAFEGUARDING_WORKER_IN_SERVER", True)
        self.SAFEGUARDING_WORKER_INTERVAL = float(env.get("SAFEGUARDING_WORKER_INTERVAL", "1.0"))
        # How often the worker makes group sessions up to three months ahead (community/worker.py).
        self.GROUPS_ROLL_FORWARD_MINUTES = float(env.get("GROUPS_ROLL_FORWARD_MINUTES", "60"))
        self.SAFEGUARDING_LINK_BASE = env.get("SAFEGUARDING_LINK_BASE", "")  # e.g. https://village.example.org

        self.TESTING = False
        for key, value in overrides.items():
            setattr(self, key, value)

    def check(self) -> None:
        """Refuse to run in production with settings that would put people at risk."""
        if self.VILLAGE_ENV == "production":
            if not self.SECRET_KEY or self.SECRET_KEY == DEV_SECRET_KEY or len(self.SECRET_KEY) < 32:
                raise ConfigError(
                    "SECRET_KEY must be set to a random value of at least 32 characters in production."
                )


def normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
