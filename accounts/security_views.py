"""``/accounts/security/``: where a person is signed in and which API tokens they hold, with a
button to end each session and to revoke each token."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from .models import BrowserSession
from .tokens import (
    api_token_revoke,
    api_tokens_active_for,
    browser_session_end,
    browser_session_record,
    browser_sessions_active_for,
)


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The person's open sessions (this browser first marked) and working tokens."""
    current = browser_session_record(request=request, user=request.user)
    context = {
        "sessions": browser_sessions_active_for(user=request.user),
        "current_session_id": current.pk if current else None,
        "tokens": api_tokens_active_for(user=request.user),
        "token_days": settings.API_TOKEN_DAYS,
    }
    return render(request, "accounts/security.html", context)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_active_for(user=request.user), pk=pk)
    api_token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("security:overview")


@require_POST
@login_required
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(BrowserSession, pk=pk, user=request.user)
    if session.session_key == request.session.session_key:
        logout(request)  # this browser: the same as logging out (which forgets the row)
        return redirect("login")
    browser_session_end(session=session)
    messages.success(request, "That session is ended: the browser is logged out.")
    return redirect("security:overview")
