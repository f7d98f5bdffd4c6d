"""Village served by real server processes, for the browser, multi-process and benchmark runs."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, *, port: int | None = None, extra_env: dict | None = None,
                 log_path: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Run `flask --app wsgi serve` in its own process; returns it and its base URL once it answers."""
    port = port or free_port()
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)]
    return _start(command, port, database_url, extra_env, log_path)


def start_gunicorn(database_url: str, *, port: int | None = None, extra_env: dict | None = None,
                   log_path: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Run the production command README.md gives (gunicorn, gthread) in its own process; returns it
    and its base URL once it answers (after its worker has loaded the screening models)."""
    port = port or free_port()
    return _start(production_command(port), port, database_url, extra_env, log_path)


def production_command(port: int) -> list[str]:
    """The gunicorn command in README.md's "Running it in production", read from the README itself so
    that the tests run what operators are told to run, bound to 127.0.0.1:`port`."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"`(gunicorn [^`]*wsgi:app)`", readme)
    if not found:
        raise RuntimeError("README.md no longer gives a `gunicorn ... wsgi:app` command")
    words = found.group(1).split()
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    # The gunicorn of this Python's environment (the one the README's set-up installs).
    return [str(Path(sys.executable).with_name("gunicorn")), *words[1:]]


def _start(command: list[str], port: int, database_url: str, extra_env: dict | None,
           log_path: Path | None) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "MAIL_SERVER"}}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": "e2e-secret-key-long-enough-for-the-tests",
                "LOGIN_RATE_LIMIT": "1000 per minute", "PORT": str(port), "HOST": "127.0.0.1",
                "PYTHONUNBUFFERED": "1",
                # Served processes share the test database with the tests that run their own outbox
                # workers (tests/safeguarding/test_reliability.py): an embedded worker thread here would
                # send their emails first. Live alerts to the leads' room do not need it.
                "SAFEGUARDING_WORKER_IN_SERVER": "false"})
    env.update(extra_env or {})
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a busy machine loads the screening models slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with code {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url + "/help", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the server did not answer within 300 seconds; see {log_path}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()




def login_cookie(base_url: str, username: str, password: str) -> str:
    """Sign in through the real login form (with its CSRF token); returns the Cookie header value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"login": username, "password": password, "csrf_token": token.group(1) if token else ""}
    opener.open(base_url + "/login", urllib.parse.urlencode(data).encode())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookie:
        raise RuntimeError(f"could not sign in as {username}")
    return cookie
