"""The production start of the README (``scripts/production.sh``) from a clean database: ``prepare`` (collectstatic,
migrate, ``check --deploy``, schedules), then gunicorn with ``DEBUG=False`` behind what a TLS proxy sends —
``X-Forwarded-Proto: https`` — with the SSL redirect and the Secure cookies left on. The test gets a static file
through the manifest, logs in and opens a page (the safety issue, item 8)."""

import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import pytest
import requests
from django.conf import settings

from tests.utils import child_clock_env

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "prod-test-pass-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch_database(require_postgres):
    """A database of its own, created empty and dropped afterwards (the test database belongs to pytest)."""
    db = settings.DATABASES["default"]
    name = f"cdmo_prod_{secrets.token_hex(4)}"
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    port = db["PORT"] or 5432
    yield f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{port}/{name}"
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def production_env(scratch_database, tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "DATABASE_URL": scratch_database,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # the throttles' counters in Redis (the suite's database there, keys of this run only)
        "CACHE_URL": f"{settings.CELERY_BROKER_URL}?key_prefix=prod{secrets.token_hex(4)}",
        "THROTTLE_UPLOADS": "3/hour",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VAR_DIR": str(tmp_path / "var"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "BEAT_SCHEDULE_FILE": str(tmp_path / "beat-schedule"),
        **child_clock_env(),
    }
    return env, f"http://127.0.0.1:{port}"


def run(env, *args):
    result = subprocess.run(
        ["scripts/production.sh", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


class Browser:
    """What a browser behind the TLS proxy sends: the proxy's header, and the Secure cookies it keeps (a plain
    HTTP client would drop them on an http:// URL)."""

    def __init__(self, base: str):
        self.base = base
        self.origin = "https://" + urllib.parse.urlsplit(base).netloc
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, *, https: bool = True, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, self.base + path, headers=headers, allow_redirects=False, timeout=30,
                                    **kwargs)  # fmt: skip
        for header in response.raw.headers.getlist("Set-Cookie"):
            self.set_cookie_headers.append(header)
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return response


def wait_until_serving(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            requests.get(base + "/accounts/login/", timeout=2, headers={"X-Forwarded-Proto": "https"})
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    pytest.fail("gunicorn did not start")


def app_backends(url: str) -> set[tuple[int, str]]:
    """(pid, start) of the server processes connected to the app's database, seen from another connection."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    db = settings.DATABASES["default"]
    with psycopg2.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
                          port=db["PORT"] or 5432) as conn, conn.cursor() as cursor:  # fmt: skip
        cursor.execute("SELECT pid, backend_start::text FROM pg_stat_activity WHERE datname = %s", [name])
        return set(cursor.fetchall())


def test_production_start_serves_static_files_and_pages_over_the_proxy(production_env):
    env, base = production_env
    run(env, "prepare")
    subprocess.run(
        [".venv/bin/python", "manage.py", "createsuperuser", "--noinput", "--username", "ops", "--email",
         "ops@example.com"],
        cwd=ROOT, env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    process = subprocess.Popen(
        ["scripts/production.sh", "web"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_serving(base, process)
        browser = Browser(base)

        plain = browser.request("GET", "/", https=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

        login = browser.request("GET", "/accounts/login/")
        assert login.status_code == 200
        assert "max-age=31536000" in login.headers["Strict-Transport-Security"]
        assert "script-src 'self'" in login.headers["Content-Security-Policy"]
        stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', login.text)
        assert stylesheet, "the page links the hashed name from the manifest"
        css = browser.request("GET", stylesheet.group(1))
        assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]
        assert "immutable" in css.headers.get("Cache-Control", "")

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        signed_in = browser.request(
            "POST", "/accounts/login/",
            data={"username": "ops", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": browser.origin + "/accounts/login/", "Origin": browser.origin},
        )  # fmt: skip
        assert signed_in.status_code == 302, signed_in.text[:500]
        session_cookies = [h for h in browser.set_cookie_headers if h.startswith("sessionid=")]
        assert session_cookies and all("Secure" in h and "HttpOnly" in h for h in session_cookies)
        assert all("Secure" in h for h in browser.set_cookie_headers if h.startswith("csrftoken="))

        dashboard = browser.request("GET", "/")
        assert dashboard.status_code == 200
        assert "ops" in dashboard.text and "Log out" in dashboard.text
        projects = browser.request("GET", "/projects/")
        assert projects.status_code == 200
        api = browser.request("GET", "/api/v1/schema/")
        assert api.status_code == 200

        # persistent connections (issue 19): the two workers keep theirs across requests instead of opening one
        # per request (≈ 25 ms each with SCRAM on loopback)
        before = app_backends(env["DATABASE_URL"])
        for _ in range(20):
            assert browser.request("GET", "/projects/").status_code == 200
        after = app_backends(env["DATABASE_URL"])
        assert 1 <= len(after) <= 2, after
        assert before & after, (before, after)  # the same server processes served before and after

        uploads_are_counted_across_processes(env, browser)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def uploads_are_counted_across_processes(env, browser) -> None:
    """A second gunicorn (another process, another port) beside the first: one user's uploads sent to both in
    turn are counted together in Redis — three, then 429 with ``Retry-After`` from either."""
    other = Browser(f"http://127.0.0.1:{free_port()}")
    second = subprocess.Popen(
        ["scripts/production.sh", "web"], cwd=ROOT, env={**env, "BIND": other.base[7:], "WEB_CONCURRENCY": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_serving(other.base, second)
        token = browser.request("POST", "/api/v1/auth/token/", json={"username": "ops", "password": PASSWORD})
        auth = {"Authorization": f"Token {token.json()['token']}"}
        answers = []
        for n in range(6):
            server = (browser, other)[n % 2]
            upload = {"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
            answers.append(server.request("POST", "/api/v1/attachments/", headers=dict(auth), files=upload,
                                          data={"owner_type": "project", "owner_id": "999999"}))  # fmt: skip
        assert [a.status_code for a in answers] == [404, 404, 404, 429, 429, 429]  # no such project: still counted
        assert 0 < int(answers[3].headers["Retry-After"]) <= 3600
        assert answers[4].json()["code"] == "throttled"
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
