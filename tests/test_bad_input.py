"""Whatever arrives at the account forms, the answer is a page and never a 500."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

FIELDS = ["username", "email", "birth_day", "birth_month", "birth_year", "joining_as", "password", "confirm"]

any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(["", " ", "\x00", "\u200b\u200d", "ｒｏｏｔ", "𝓊𝓈𝑒𝓇", "0" * 5000, "-1", "99999999999999999999",
                     "1e309", "<script>alert(1)</script>", "'; DROP TABLE users; --", "%00", "\r\n\r\n"]),
)
forms = st.dictionaries(st.sampled_from(FIELDS), any_text, max_size=len(FIELDS))
logins = st.fixed_dictionaries({"login": any_text, "password": any_text})
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(data=forms)
@example(data={"birth_day": "0", "birth_month": "0", "birth_year": "2200000000"})   # once a 500 (OverflowError)
def test_registration_never_500s(client, data):
    response = client.post("/register", data=data)
    assert response.status_code in (200, 302, 400, 413), response.status_code


@SETTINGS
@given(data=logins)
def test_login_never_500s(client, data):
    response = client.post("/login", data=data)
    assert response.status_code in (400, 413), response.status_code


@SETTINGS
@given(body=st.binary(max_size=2000), content_type=st.sampled_from(
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json", "text/plain"]))
def test_raw_bodies_never_500(client, body, content_type):
    for path in ("/register", "/login", "/reset-password"):
        response = client.post(path, data=body, content_type=content_type)
        assert response.status_code < 500, (path, response.status_code)


def test_huge_fields_get_413(app, client):
    response = client.post("/register", data={"username": "a" * (2 * app.config["MAX_CONTENT_LENGTH"])})
    assert response.status_code == 413


def test_invalid_utf8_in_a_form_is_cleaned_not_crashed(client):
    body = b"username=%ED%A0%80bad&email=a%FF%FE@example.org&password=x&confirm=x"
    response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
