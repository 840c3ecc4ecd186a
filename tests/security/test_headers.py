"""Response headers every page carries: a Content-Security-Policy without inline scripts,
no framing, no MIME sniffing."""

import pytest


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/technologies/", "/accounts/login/", "/api/docs/"])
def test_pages_carry_a_content_security_policy_without_inline_scripts(client, path):
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_swagger_ui_loads_its_initialiser_as_a_file_not_inline(client):
    # when
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")
    # then: every <script> has a src, and the initialiser is served as JavaScript
    assert "<script>" not in page
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_no_page_template_contains_an_inline_script_or_event_handler():
    # given
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [
        path
        for path in root.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
    # when
    offenders = [
        str(path.relative_to(root))
        for path in templates
        if inline_script.search(path.read_text()) or handler.search(path.read_text())
    ]
    # then
    assert templates
    assert offenders == []
