"""Headers, CSRF, size limits, error pages, and production configuration."""
from __future__ import annotations

import subprocess
import sys

import pytest

from community.config import Config, ConfigError
from community.security import CONTENT_SECURITY_POLICY


def test_security_headers_on_every_page(client):
    for path in ("/", "/help", "/login", "/no-such-page"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_in_pages(client):
    import re

    for path in ("/", "/help", "/login", "/register", "/reset-password"):
        page = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+=", page), f"event handler attribute on {path}"


def test_csrf_is_required_on_forms(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"login": "someone", "password": "x"})
        assert response.status_code == 400
        assert "form has expired" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_oversize_request_gets_a_readable_413(app, client):
    response = client.post("/login", data={"login": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10), "password": "x"})
    assert response.status_code == 413
    assert "too big" in response.get_data(as_text=True)


@pytest.mark.parametrize("path,code", [("/no-such-page", 404), ("/admin/people", 302)])
def test_error_pages_reveal_nothing(client, path, code):
    response = client.get(path)
    assert response.status_code == code
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_error_gets_a_kind_500_page(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("community.main.views.render_template", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/help")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "something went wrong" in page and "secret internal detail" not in page


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("VILLAGE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Config().check()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = Config()
    config.check()
    assert config.SESSION_COOKIE_SECURE is True


def test_production_start_error_is_one_clear_line(tmp_path):
    env = {"VILLAGE_ENV": "production", "PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr.strip().splitlines()[-1]


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    from tests.conftest import TEST_PASSWORD

    user = make_user()
    response = client.post("/login", data={"login": user.username, "password": TEST_PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
