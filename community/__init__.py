"""Village: the Flask application factory."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from community.config import ROOT, Config


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number a 32-bit id column can hold, so /boards/p/9999999999 is
    a 404 and not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:
        from community.models.base import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    config.check()
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    app.url_map.converters["int"] = IdConverter
    Path(app.instance_path).mkdir(exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    import moderation

    from community import cli, errors, extensions, security, templating
    from community.models import User

    moderation.configure(app.config["MODERATION"])
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)
    extensions.login_manager.login_view = "auth.login"
    extensions.login_manager.login_message = "Please sign in to see that page."
    extensions.login_manager.login_message_category = "info"

    @extensions.login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return extensions.db.session.get(User, int(user_id)) if user_id.isdigit() else None

    from community.message_queue import make_manager

    extensions.socketio.init_app(
        app,
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        client_manager=make_manager(app),  # None in-process; with Redis, one that survives Redis going away
        channel=app.config["SOCKETIO_CHANNEL"],
        async_mode="threading",
        cors_allowed_origins=[],  # same origin only
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],
    )

    from community.admin.views import bp as admin_bp
    from community.auth.views import bp as auth_bp
    from community.forums.views import bp as forums_bp
    from community.groups.oruk import bp as oruk_bp
    from community.groups.views import bp as groups_bp
    from community.main.views import bp as main_bp
    from community.review.views import bp as review_bp
    from community.safeguarding.views import bp as safeguarding_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(forums_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(safeguarding_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(oruk_bp)

    from community import realtime

    realtime.init_app(app)  # registers the Socket.IO handlers on this app's server

    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app
