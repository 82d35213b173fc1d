import pytest

from tests.directory.factories import OrganisationFactory


@pytest.fixture
def api(client):
    """``api("/services", per_page=5)`` GETs the ORUK API and returns the response."""

    def get(path: str, **params):
        return client.get(f"/api/oruk{path}", params)

    return get


# People and organisations shared by the editorial, problem report and verification tests.
@pytest.fixture
def org(db):
    return OrganisationFactory(name="Wearside Parents Together")


@pytest.fixture
def editor(make_user, org):
    """A service provider editor for ``org``."""
    user = make_user("service_provider_editor", email="editor@wearside.example.org")
    org.editors.add(user)
    return user


@pytest.fixture
def manager(make_user):
    """The directory team."""
    return make_user("directory_manager", email="team@council.example.org")
