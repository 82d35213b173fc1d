"""Family-facing views of the directory that are not Wagtail pages: the shortlist ("my list").
Thin: the list lives in directory.shortlist, the queries in directory.selectors, the email in
directory.services_shortlist (sent at once, never stored or queued)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from directory import selectors
from directory.models import ServicePage
from directory.shortlist import Shortlist, email_allowed
from directory.shortlist_email import send_shortlist


class ShortlistEmailForm(forms.Form):
    govuk_page_heading = "email"

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send the list once and will not keep your email address.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _service_pk(request) -> int:
    try:
        return int(request.POST.get("service", ""))
    except ValueError:
        raise Http404 from None


def _visible_items(request):
    """The list's public services; drops (and counts) any that are no longer public."""
    shortlist = Shortlist(request)
    services = selectors.shortlist_services(shortlist.ids)
    dropped = shortlist.keep_only([s.pk for s in services])
    da_terms = selectors.domestic_abuse_term_ids() if services else set()
    sensitive = any(selectors.is_domestic_abuse_service(s, da_terms=da_terms) for s in services)
    return services, dropped, sensitive


def shortlist(request):
    services, dropped, sensitive = _visible_items(request)
    return render(
        request,
        "directory/shortlist.html",
        {"services": services, "dropped": dropped, "sensitive": sensitive},
    )


@require_POST
def shortlist_add(request):
    pk = _service_pk(request)
    page = ServicePage.objects.live().filter(pk=pk).first()
    if page is None or not page.is_publicly_visible:
        raise Http404
    if Shortlist(request).add(pk):
        messages.success(request, f"{page.title} has been added to your list")
    else:
        messages.error(request, "Your list is full. Remove a service before you add another.")
    return HttpResponseRedirect(_next_url(request, reverse("directory:shortlist")))


@require_POST
def shortlist_remove(request):
    shortlist = Shortlist(request)
    if request.POST.get("all"):
        shortlist.clear()
        messages.success(request, "Your list has been cleared")
    else:
        pk = _service_pk(request)
        shortlist.remove(pk)
        page = ServicePage.objects.filter(pk=pk).only("title").first()
        messages.success(request, f"{page.title if page else 'The service'} has been removed from your list")
    return HttpResponseRedirect(_next_url(request, reverse("directory:shortlist")))


@require_http_methods(["GET", "POST"])
def shortlist_email(request):
    services, _dropped, sensitive = _visible_items(request)
    if not services:
        return redirect("directory:shortlist")
    form = ShortlistEmailForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if email_allowed(request):
            send_shortlist(form.cleaned_data["email"], services)
            messages.success(request, "Your list has been sent to the email address you gave")
            return redirect("directory:shortlist")
        form.add_error(None, "You have sent your list too many times. Try again in an hour.")
        status = 429
    return render(
        request,
        "directory/shortlist_email.html",
        {"form": form, "services": services, "sensitive": sensitive},
        status=status,
    )
