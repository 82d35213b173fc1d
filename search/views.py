"""The family search page and its typeahead endpoint: thin views over the contract."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from directory.models import TaxonomyTerm
from search import cache as search_cache
from search import contract, services
from search.forms import SearchForm

FILTER_KEYS = ("q", "postcode", "radius", "category", "age", "free", "access", "attend", "day", "sort")


def _category_choices():
    """(ORUK id, name) of every category, by name: remembered per process until a term is
    saved or deleted (:mod:`search.cache`)."""
    return search_cache.memo(search_cache.TAXONOMY, "choices", _load_category_choices)


def _load_category_choices():
    return [(str(pk), name) for pk, name in TaxonomyTerm.objects.order_by("name").values_list("oruk_id", "name")]


@require_GET
def service_search(request):
    searched = any(request.GET.get(key) for key in FILTER_KEYS)
    categories = _category_choices()
    form = SearchForm(request.GET if request.GET else None, category_choices=categories)
    if form.is_bound:
        form.is_valid()  # errors are shown; the valid fields still search
    query = form.to_query()
    results = contract.search(query)
    if not results.hits and results.total and query.page > 1:
        from dataclasses import replace

        last = (results.total - 1) // query.size + 1
        query = replace(query, page=last)
        results = contract.search(query)
    if searched and query.page == 1:
        services.log_search(request.GET.get("postcode", ""), query, results)
    paginator = Paginator(range(results.total), query.size)
    page_obj = paginator.get_page(query.page)
    context = {
        "form": form,
        "query": query,
        "results": results,
        "page_obj": page_obj,
        "searched": searched,
        "place": form.place,
        "related_categories": categories[:8] if not results.total else [],
        "first": (query.page - 1) * query.size + 1,
        "last": (query.page - 1) * query.size + len(results.hits),
    }
    return render(request, "search/services.html", context)


@require_GET
def suggest(request):
    prefix = request.GET.get("q", "")[:100]
    response = JsonResponse({"q": prefix, "suggestions": contract.suggest(prefix)})
    patch_cache_control(response, public=True, max_age=300)
    return response
