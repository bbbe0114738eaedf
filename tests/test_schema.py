"""The OpenAPI schema builds without errors, documents the error responses, and Swagger UI is served offline."""

import pytest
from django.core.management import call_command


def test_schema_generates_cleanly(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--fail-on-warn", "--validate")
    text = out.read_text()
    assert "/api/v1/clients/{id}/transition/" in text


@pytest.mark.django_db
def test_schema_documents_errors(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    transition = schema["paths"]["/api/v1/clients/{id}/transition/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "412"} <= set(transition)
    patch = schema["paths"]["/api/v1/clients/{id}/"]["patch"]["responses"]
    assert {"400", "404", "412"} <= set(patch)
    assert "TransitionError" in schema["components"]["schemas"]


@pytest.mark.django_db
def test_swagger_ui_uses_vendored_assets(api):
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
