import json

import pytest


@pytest.mark.django_db
def test_api_docs_lists_both_apis_with_openapi_descriptions_that_load(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open Referral UK v3 directory API" in html
    assert "Operation Encompass intake API" in html
    for path in ("/api/oruk/openapi.json", "/api/encompass/openapi.json"):
        assert f'href="{path}"' in html
        spec = client.get(path)
        assert spec.status_code == 200
        assert json.loads(spec.content)["openapi"].startswith("3.")
    for path in ("/api/oruk/docs", "/api/encompass/docs"):
        assert f'href="{path}"' in html
        assert client.get(path).status_code == 200
