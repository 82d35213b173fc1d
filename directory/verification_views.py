"""The page a "still correct" link opens. GET only shows the question (link scanners fetch
links in emails); the POST button records the verification."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from directory import services, verification


@method_decorator(never_cache, name="dispatch")
class ConfirmStillCorrectView(View):
    template_name = "directory/verification/confirm.html"

    def _target(self, token):
        try:
            return verification.read_token(token), None
        except verification.LinkExpired:
            return None, "expired"
        except verification.LinkInvalid:
            return None, "invalid"

    def _problem(self, request, problem):
        status = 410 if problem == "expired" else 404
        return render(request, "directory/verification/link_problem.html", {"problem": problem}, status=status)

    def get(self, request, token):
        target, problem = self._target(token)
        if problem:
            return self._problem(request, problem)
        template = "directory/verification/done.html" if target.request.completed_at else self.template_name
        return render(request, template, {"service": target.service, "request_": target.request, "already": True})

    def post(self, request, token):
        target, problem = self._target(token)
        if problem:
            return self._problem(request, problem)
        if target.request.completed_at:
            return render(request, "directory/verification/done.html", {"service": target.service, "already": True})
        page = services.record_verification(target.service, user=target.user, request=request, via="link")
        return render(request, "directory/verification/done.html", {"service": page, "already": False})
