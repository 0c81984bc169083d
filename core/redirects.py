"""Redirects to a `next` the user sent: followed only when it stays on this site."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, target: str | None) -> str | None:
    """`target` if it is a URL on this host (no other host, no scheme-relative
    `//host`, no `/\\host`, no HTTPS -> HTTP downgrade), else None."""
    if target and url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return target
    return None


def redirect_next(request, default: str, *args, **kwargs) -> HttpResponseRedirect:
    """To the form's `next` (POST, else the query string) when it is safe, else
    to `default` (a URL name or path, resolved as `django.shortcuts.redirect`)."""
    target = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    if target is not None:
        return HttpResponseRedirect(target)
    return redirect(default, *args, **kwargs)
