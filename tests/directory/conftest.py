import pytest


@pytest.fixture(autouse=True)
def _directory_urls(settings):
    settings.ROOT_URLCONF = "tests.directory.urls"


@pytest.fixture
def api(client):
    """``api("/services", per_page=5)`` GETs the ORUK API and returns the response."""

    def get(path: str, **params):
        return client.get(f"/api/oruk{path}", params)

    return get
