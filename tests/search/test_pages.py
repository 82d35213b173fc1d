"""The family search page, the typeahead endpoint, the search log and the zero-result report."""

from __future__ import annotations

import pytest

from django.urls import reverse

from search.models import SearchLog, SynonymGroup

pytestmark = pytest.mark.django_db


def test_search_page_lists_results_with_links_and_distance(client, corpus):
    response = client.get(reverse("services"), {"q": "dv", "postcode": "sr1 3aa"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 services within 10 miles of SR1 3AA" in html
    assert f'href="{corpus["da_city"].url}"' in html
    assert "0.1 miles away" in html
    assert "abuse</mark>" in html  # SQLite marks the phrase, PostgreSQL each word
    assert "<title>2 services found" in html


def test_search_page_without_query_lists_everything(client, corpus):
    html = client.get(reverse("services")).content.decode()
    assert "7 services" in html
    assert "Closed domestic abuse helpline" not in html


def test_filters_show_facet_counts_and_keep_choices(client, corpus):
    parenting = corpus["terms"]["parenting"]
    html = client.get(reverse("services"), {"category": str(parenting.oruk_id), "free": "on"}).content.decode()
    assert "1 service" in html and "Parenting drop-in" in html
    assert f'value="{parenting.oruk_id}" checked' in html
    assert "Parenting (1)" in html


def test_pagination_keeps_the_search(client, corpus):
    html = client.get(reverse("services"), {"q": "", "free": "on", "page": "1"}).content.decode()
    assert "Showing 1 to" not in html or "page=2" in html
    response = client.get(reverse("services"), {"page": "999"})
    assert response.status_code == 200


def test_invalid_postcode_shows_error_and_still_searches(client, corpus):
    html = client.get(reverse("services"), {"q": "parenting", "postcode": "not a postcode"}).content.decode()
    assert "<title>Error: " in html
    assert "Enter a real postcode, like SR1 3AA" in html
    assert "2 services" in html


def test_unknown_postcode_has_a_clear_message(client, corpus):
    html = client.get(reverse("services"), {"q": "parenting", "postcode": "TS1 1AA"}).content.decode()
    assert "We could not find TS1 1AA" in html
    assert "2 services" in html
    assert "miles away" not in html


def test_no_results_page_helps(client, corpus):
    html = client.get(reverse("services"), {"q": "zzzzqqqq"}).content.decode()
    assert "No services found" in html
    assert "0808 2000 247" in html
    assert "browse a category" in html


def test_misspelling_is_rewritten(client, corpus):
    html = client.get(reverse("services"), {"q": "autisim"}).content.decode()
    assert "Showing results for <strong>autism</strong>" in html
    assert "Autism family support" in html


@pytest.mark.parametrize("text", ['"', "' OR 1=1 --", "💜" * 300, "x" * 1000, "<script>alert(1)</script>"])
def test_bad_input_never_errors(client, corpus, text):
    response = client.get(reverse("services"), {"q": text, "postcode": text, "age": text, "page": text, "sort": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_log_keeps_outcode_only(client, corpus):
    client.get(reverse("services"), {"q": "dv", "postcode": "SR1 3AA", "free": "on"}, REMOTE_ADDR="203.0.113.9")
    log = SearchLog.objects.get()
    assert (log.text, log.outcode, log.result_count, log.backend) == ("dv", "SR1", 2, "database")
    assert log.filters == {"free": True, "sort": "relevance"}
    stored = str([getattr(log, f.attname) for f in SearchLog._meta.fields])
    assert "3AA" not in stored and "203.0.113.9" not in stored
    client.get(reverse("services"))  # a bare visit is not a search
    assert SearchLog.objects.count() == 1


def test_suggest_endpoint(client, corpus):
    response = client.get(reverse("services_suggest"), {"q": "pare"})
    assert response.status_code == 200
    data = response.json()
    assert "Parenting drop-in" in data["suggestions"]
    assert client.get(reverse("services_suggest"), {"q": "\"'💜"}).status_code == 200


def test_service_pages_still_served_by_wagtail(corpus):
    from django.urls import resolve

    assert resolve(corpus["da_city"].url).func.__module__ == "wagtail.views"
    assert resolve("/services/").url_name == "services"


def test_zero_result_report_and_make_synonym(client, corpus, superuser_client):
    client.get(reverse("services"), {"q": "wifebeater"})
    client.get(reverse("services"), {"q": "Wifebeater"})
    response = superuser_client.get(reverse("search_zero_results"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "wifebeater" in html
    group = SynonymGroup.objects.get(name="Domestic abuse")
    response = superuser_client.post(reverse("search_make_synonym"), {"term": "wifebeater", "group": group.pk})
    assert response.status_code == 302
    group.refresh_from_db()
    assert "wifebeater" in group.term_list
    # Takes effect at once, no rebuild.
    html = client.get(reverse("services"), {"q": "wifebeater"}).content.decode()
    assert "Wearside Women&#x27;s Aid outreach" in html
    assert "<td>wifebeater</td>" not in superuser_client.get(reverse("search_zero_results")).content.decode()


def test_zero_result_report_needs_permission(signed_in, lead_professional):
    client = signed_in(lead_professional)
    response = client.get(reverse("search_zero_results"))
    assert response.status_code in (302, 403)


@pytest.fixture
def superuser_client(client, django_user_model):
    from django.test import Client

    user = django_user_model.objects.create_superuser(email="root@example.org", password="x" * 20)
    other = Client()
    other.force_login(user)
    return other


def test_empty_search_page_lets_families_browse_by_category(client, corpus):
    terms = corpus["terms"]
    html = client.get(reverse("services")).content.decode()
    assert "Browse by category" in html
    parenting_link = f'href="{reverse("services")}?category={terms["parenting"].oruk_id}">Parenting</a> (2 services)'
    assert parenting_link in html
    assert f'?category={terms["da"].oruk_id}">Domestic abuse</a> (2 services)' in html
    # Following a category link lists that category's services; the browse list gives way to results.
    followed = client.get(reverse("services"), {"category": str(terms["parenting"].oruk_id)}).content.decode()
    assert "Browse by category" not in followed
    assert "Positive parenting course" in followed and "Parenting drop-in" in followed
    assert "Millfield food bank" not in followed
