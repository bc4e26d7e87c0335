"""The POST actions of the pages: run a service, show a domain error as messages, go back to the form.

One decorator for every app, so an error reads the same everywhere (each sub-error with its row and field)
and a redirect never leaves the site.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.errors import DomainError


def back(request, fallback: str):
    """Redirect to the form's ``next`` when it is on this site, else to ``fallback`` (a URL)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback  # never bounce to another site
    return redirect(target or fallback)


def post_action(*, fallback: str = "home", not_found_is_404: bool = False, max_errors: int = 50):
    """Decorate a POST-only view that returns a success message (or a response) or raises a DomainError.

    ``fallback`` is the URL name to return to without a ``next``; with ``not_found_is_404`` a NotFound
    becomes a 404 page (the row is outside the user's scope) instead of a message.
    """

    def decorate(view):
        @wraps(view)
        @login_required
        @require_POST
        def wrapped(request, *args, **kwargs):
            try:
                done = view(request, *args, **kwargs)
            except DomainError as exc:
                if not_found_is_404 and exc.status == 404:
                    raise Http404 from None
                messages.error(request, exc.message)
                for sub in exc.errors[:max_errors]:
                    prefix = _("row %(row)s") % {"row": sub.row} + " · " if sub.row else ""
                    field = f"{sub.field}: " if sub.field else ""
                    messages.error(request, f"{prefix}{field}{sub.message}")
                return back(request, reverse(fallback))
            if isinstance(done, HttpResponse):
                return done
            if done:
                messages.success(request, done)
            return back(request, reverse(fallback))

        return wrapped

    return decorate
