"""`flask --app wsgi ...` commands: demo data, roles, serving, moderation models."""
from __future__ import annotations

import gc
import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from community.extensions import db, socketio
from community.models import Role, User

users_cli = AppGroup("users", help="Manage people and their roles.")
moderation_cli = AppGroup("moderation", help="Moderation models.")


@users_cli.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def grant(username: str, role: str) -> None:
    """Give USERNAME the ROLE (for example: moderator)."""
    from community.auth.service import AccountError, grant_role

    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise click.ClickException(f"There is no account called {username}.")
    try:
        grant_role(user, Role(role))
    except AccountError as error:
        raise click.ClickException(error.message)
    click.echo(f"{user.username} now has the roles: {', '.join(sorted(r.value for r in user.role_set))}")


@moderation_cli.command("fetch-model")
@click.option("--dest", default="instance/models", show_default=True, help="Folder to keep the model in.")
def fetch_model(dest: str) -> None:
    """Download the Detoxify checkpoint and its base model files once, where a network exists."""
    from moderation.fetch import fetch_model as fetch

    click.echo(fetch(dest))


@click.command("demo")
def demo() -> None:
    """Load a believable county with boards and one account per role. Safe to run again."""
    from community.demo import load_demo

    for line in load_demo():
        click.echo(line)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default: PORT or 5000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve Village with Socket.IO (the embedded server)."""
    loaded = prepare_server_process(current_app._get_current_object())
    click.echo("Screening models: " + ", ".join(f"{k} {v}" for k, v in loaded.items()))
    host = host or current_app.config["HOST"]
    port = port or current_app.config["PORT"]
    # Flask refuses app.run() inside its own CLI to protect `flask run`; this command is the server.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    _send_small_messages_at_once()
    click.echo(f"Village is running on http://{host}:{port} (press Ctrl+C to stop)")
    socketio.run(current_app._get_current_object(), host=host, port=port,
                 allow_unsafe_werkzeug=True, use_reloader=False, log_output=False)


def prepare_server_process(app: Flask) -> dict[str, str]:
    """What a serving process does once before its first request: `flask serve` here, and each
    gunicorn worker through gunicorn.conf.py: load the screening models, settle the garbage collector
    and start the background worker (unless SAFEGUARDING_WORKER_IN_SERVER is false).
    Returns the screening models loaded (name -> backend)."""
    import moderation

    # The models' OpenMP threads sleep when idle instead of spinning: in a served process they share
    # two cores with hundreds of socket threads (flat-out delivery measured 42% -> 56% of the bare
    # server's). Read once, when torch loads below; an operator's own setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # Load the screening models before the first person posts, not while they wait.
    loaded = moderation.warm_up()
    # Everything loaded so far (models, libraries, the app) lives as long as the process: move it out
    # of the garbage collector's sight, so a full collection does not walk millions of objects while
    # people wait for their posts.
    gc.collect()
    gc.freeze()
    # A young generation of 20,000 objects instead of 700: a post's short-lived cycles (ORM state,
    # request contexts, packets) die young instead of being promoted, and full collections - measured
    # at 20-190 ms each, six in a 40-second benchmark run - become rare (none in the same run).
    gc.set_threshold(20_000, 10, 10)
    if app.config["SAFEGUARDING_WORKER_IN_SERVER"]:
        from community import worker

        worker.start_thread(app)  # the embedded worker
    return loaded


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass (deadlines, notifications, group sessions) and stop.")
def worker(once: bool) -> None:
    """Send safeguarding notifications, run case deadlines and roll group sessions forward until stopped
    (Ctrl+C or SIGTERM).

    Several may run at once on PostgreSQL; set SAFEGUARDING_WORKER_IN_SERVER=false on the servers then.
    Without REDIS_URL it sends email only (live alerts need the servers' Socket.IO)."""
    import signal
    import threading

    from community import worker as background

    app = current_app._get_current_object()
    work = background.worker_for(app, in_server=False)
    if once:
        done = work.work_once()
        click.echo(f"{done.deadline_steps} deadline steps run, {done.sent} notifications sent, "
                   f"{done.sessions_made} group sessions made")
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Worker running ({', '.join(work.channels)}); Ctrl+C to stop")
    background.run(app, stop, work)


def _send_small_messages_at_once() -> None:
    """TCP_NODELAY on every accepted connection of the embedded (Werkzeug) server.

    A posted message goes out as two small WebSocket frames (the post to the room, then the ack); with
    Nagle's algorithm on, the second waits for the client's delayed ACK, about 40 ms. Measured: a
    single person's post acknowledged in 96 ms at the median with Nagle, 13 ms without. Gunicorn
    already sets this on its sockets.
    """
    import socket

    from werkzeug.serving import BaseWSGIServer

    if getattr(BaseWSGIServer.get_request, "no_delay", False):
        return
    accept = BaseWSGIServer.get_request

    def get_request(self):
        conn, address = accept(self)
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, address

    get_request.no_delay = True
    BaseWSGIServer.get_request = get_request


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(demo)
    app.cli.add_command(serve)
    app.cli.add_command(worker)
