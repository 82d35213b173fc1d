import pytest


@pytest.fixture
def api(client):
    """``api("/services", per_page=5)`` GETs the ORUK API and returns the response."""

    def get(path: str, **params):
        return client.get(f"/api/oruk{path}", params)

    return get
