"""Production settings: `check --deploy` is clean with only the production variables in the
environment (DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL), nothing falls back to a
development default, and the optional pieces (object storage, proxy header, error reporting) are
on only when their variables say so."""

import gzip
import json
import os
import secrets
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:  # sentry-sdk compresses with brotli when it is installed, else with gzip
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

REPO_ROOT = Path(__file__).resolve().parents[2]
# Only parsed, never connected to: settings import and system checks do not open connections.
PRODUCTION_DATABASE_URL = "postgres://gte:secret@db.internal:5432/gte"
PRODUCTION_REDIS_URL = "redis://redis.internal:6379/0"


def _production_env(**extra) -> dict[str, str]:
    # Nothing from the developer's environment: only what a production host must provide.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "gte.example",
        "DATABASE_URL": PRODUCTION_DATABASE_URL,
        "REDIS_URL": PRODUCTION_REDIS_URL,
    }
    env.update(extra)
    return {name: value for name, value in env.items() if value is not None}


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_only_the_production_variables():
    # given DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL, nothing else
    env = _production_env()
    # when
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    # given: DEBUG off and no SECRET_KEY
    env = _production_env(SECRET_KEY=None)
    # when
    result = _manage("check", env=env)
    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_secret_key_whatever_else_is_set():
    # given the public development key, and the switch that used to let it through
    from config.settings import DEVELOPMENT_SECRET_KEY

    env = _production_env(SECRET_KEY=DEVELOPMENT_SECRET_KEY, ALLOW_DEV_SECRET="true")
    # when
    result = _manage("check", env=env)
    # then
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_database_or_redis_url():
    for missing in ("DATABASE_URL", "REDIS_URL"):
        # given production without one of the servers named
        env = _production_env(**{missing: None})
        # when
        result = _manage("check", env=env)
        # then it stops instead of falling back to localhost
        assert result.returncode != 0, missing
        assert f"{missing} must be set in production" in result.stderr, result.stderr


PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_SAMESITE": s.SESSION_COOKIE_SAMESITE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "CSRF_COOKIE_SAMESITE": s.CSRF_COOKIE_SAMESITE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "script_src": list(s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]),
}))
"""


def test_production_cookies_are_secure_httponly_samesite_and_hsts_is_on():
    # given
    env = _production_env()
    # when
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # then
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["script_src"] == ["'self'"]


def test_production_api_answers_json_only():
    # the browsable API's HTML forms would list every choice of a related field
    env = _production_env()
    code = (
        "from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['rest_framework.renderers.JSONRenderer']"


def _settings_values(code: str, **env) -> dict:
    """Import the settings in a fresh interpreter with a production environment and return the
    JSON the code prints."""
    script = "import django, json\ndjango.setup()\nfrom django.conf import settings as s\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=_production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRINT_TRUST = """
print(json.dumps({
    "proxy_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "redirect_exempt": s.SECURE_REDIRECT_EXEMPT,
    "email_protocol": s.ACCOUNT_DEFAULT_HTTP_PROTOCOL,
}))
"""


def test_production_trusts_no_proxy_header_by_default_and_mails_https_links():
    # when
    values = _settings_values(PRINT_TRUST)
    # then a client's X-Forwarded-Proto is not believed by Django itself
    assert values["proxy_header"] is None
    # and the health check is not redirected to HTTPS
    assert values["redirect_exempt"] == ["^healthz$"]
    # and links in emails (confirmation, password reset) are https
    assert values["email_protocol"] == "https"


def test_the_proxy_header_is_trusted_only_when_the_deployment_says_a_proxy_sets_it():
    # when
    values = _settings_values(PRINT_TRUST, SECURE_PROXY_SSL_HEADER="true")
    # then
    assert values["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


PRINT_STORAGE = """
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "backend": s.STORAGES["default"]["BACKEND"],
    "class": type(storage).__module__ + "." + type(storage).__name__,
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "acl": getattr(storage, "default_acl", "n/a"),
    "querystring_auth": getattr(storage, "querystring_auth", None),
    "file_overwrite": getattr(storage, "file_overwrite", None),
    "addressing_style": getattr(storage, "addressing_style", None),
    "location": str(getattr(storage, "location", "")),
    "media_root": str(s.MEDIA_ROOT),
}))
"""


def test_uploads_go_to_the_filesystem_under_media_root_by_default(tmp_path):
    # when
    values = _settings_values(PRINT_STORAGE, MEDIA_ROOT=str(tmp_path / "media"))
    # then
    assert values["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert values["location"] == str(tmp_path / "media")


def test_uploads_go_to_a_private_object_store_when_a_bucket_is_named():
    # given MinIO as in docker-compose.yml
    env = {
        "AWS_STORAGE_BUCKET_NAME": "gte-media",
        "AWS_S3_ENDPOINT_URL": "http://minio:9000",
        "AWS_ACCESS_KEY_ID": "gte",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
    }
    # when
    values = _settings_values(PRINT_STORAGE, **env)
    # then django-storages' S3 backend serves the bucket
    assert values["backend"] == "storages.backends.s3.S3Storage"
    assert values["class"] == "storages.backends.s3.S3Storage"
    assert values["bucket"] == "gte-media"
    assert values["endpoint"] == "http://minio:9000"
    assert values["addressing_style"] == "path"
    # and objects stay private: no public ACL, no signed links; downloads pass the app's checks
    assert values["acl"] is None
    assert values["querystring_auth"] is False
    # and a second upload with the same name does not replace the first
    assert values["file_overwrite"] is False


def test_an_object_store_endpoint_without_a_bucket_is_refused():
    # when
    result = _manage("check", env=_production_env(AWS_S3_ENDPOINT_URL="http://minio:9000"))
    # then
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


REPORT_AN_ERROR = """
import logging, sentry_sdk
client = sentry_sdk.get_client()
active = client.is_active()
if active:
    # What Django's handler does with an unhandled exception in a view.
    from django.core.signals import got_request_exception
    try:
        raise RuntimeError("boom in a view")
    except RuntimeError:
        got_request_exception.send(sender=None, request=None)
    # And an ERROR record from the application's own code.
    logging.getLogger("catalog.services").error("search index out of date")
    sentry_sdk.flush(timeout=10)
print(json.dumps({"active": active, "send_default_pii": client.options.get("send_default_pii")}))
"""


class _EnvelopeCollector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.received.append(self.path.encode() + b"\n" + body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_error_reporting_is_off_without_a_dsn():
    # when
    values = _settings_values(REPORT_AN_ERROR)
    # then
    assert values["active"] is False


def test_errors_are_reported_to_the_dsn_without_personal_data():
    # given a Sentry-compatible receiver on loopback
    _EnvelopeCollector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EnvelopeCollector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
        # when a view's error is logged by production settings with SENTRY_DSN
        values = _settings_values(REPORT_AN_ERROR, SENTRY_DSN=dsn)
    finally:
        server.shutdown()
        server.server_close()
    # then the event reached the project's envelope endpoint
    assert values["active"] is True
    assert values["send_default_pii"] is False
    received = b"".join(_EnvelopeCollector.received)
    assert b"/api/42/envelope/" in received
    assert b"boom in a view" in received
    assert b"search index out of date" in received
    assert b'"environment":"production"' in received.replace(b" ", b"")
