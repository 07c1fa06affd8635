"""A person's own pages: sign-up, profile, password, and taking up an invitation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kernel import preferences
from kernel import services as kernel_services
from kernel.forms import add_service_errors
from kernel.models import Invitation, NotificationPreference
from kernel.web import signed_in_user
from missionlead.throttling import LOGIN_THROTTLED_MESSAGE, login_wait

from . import services
from .forms import AccountForm, EmailPreferencesForm, ProfileForm, SignupForm
from .middleware import remember_time_zone
from .models import Profile

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _throttled(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context = {**context, "throttled_message": "Too many attempts. Wait a little, then try again."}
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and an organisation, then its onboarding (when ``SIGNUP_OPEN``)."""
    if not settings.SIGNUP_OPEN:
        return render(request, "accounts/signup_closed.html", status=404)
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if login_wait(request) is not None:  # per client IP, like the log-in form
            return _throttled(request, "accounts/signup.html", {"form": form})
        if form.is_valid():
            try:
                user, organisation = services.signup(data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                login(request, user, backend=BACKEND)
                messages.success(request, f"Welcome to {organisation.name}.")
                return redirect("missions:welcome", org=organisation.slug)
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Name, email and time zone; links to the password change."""
    user = signed_in_user(request)
    stored = Profile.objects.filter(user=user).first()
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "time_zone": stored.time_zone if stored else "",
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.profile_update(user=user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            remember_time_zone(request, saved.time_zone)
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    return render(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    """A table of the kinds of notification, each by email at once, in the digest or in the
    app only; how often the digest comes; and whether the weekly brief does."""
    user = signed_in_user(request)
    row = Profile.objects.filter(user=user).values("digest", "brief").first()
    stored: dict[str, Any] = dict(row) if row else {}
    initial = {
        **preferences.channels_for(user_id=user.pk),
        "digest": stored.get("digest") or Profile.DEFAULT_DIGEST,
        "brief": stored.get("brief") or Profile.DEFAULT_BRIEF,
    }
    form = EmailPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.email_preferences_update(
            user=user,
            channels=form.channels(),
            digest=form.cleaned_data["digest"],
            brief=form.cleaned_data["brief"] or None,
        )
        messages.success(request, "Your email settings are saved.")
        return redirect("accounts:email-preferences")
    context = {
        "form": form,
        "channels": NotificationPreference.Channel.choices,
        "digest_hour": f"{settings.MISSIONLEAD_DIGEST_HOUR:02d}:00",
    }
    return render(
        request, "accounts/email_preferences.html", context, status=400 if form.errors else 200
    )


# A mail client's one-click unsubscribe (RFC 8058) posts without a session or a CSRF token:
# the signed token in the URL is what authorises the change, and it changes only the email
# settings of the person it names. A GET changes nothing (link checkers open links).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every notification email and digest: GET asks to confirm, POST does it."""
    try:
        user_id, topic = preferences.unsubscribe_read(token)
    except signing.BadSignature:
        user = None
    else:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return render(request, "accounts/unsubscribe_invalid.html", status=400)
    done = request.method == "POST"
    if done:
        services.unsubscribe(user=user, topic=topic)
    context = {"done": done, "what": preferences.topic_label(topic), "email": _masked(user.email)}
    return render(request, "accounts/unsubscribe.html", context)


def _masked(address: str) -> str:
    """``n…@example.org``: enough for its owner to recognise, little for anyone else."""
    name, _, domain = address.partition("@")
    return f"{name[:1]}…@{domain}" if domain else ""


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link from an invitation email: who invites, to what; join, with a new account or
    the signed-in one. A used, withdrawn or expired link says so."""
    found = kernel_services.invitation_for_token(token)
    if found is None:
        raise Http404("This invitation link is not valid.")
    status = found.status
    context: dict[str, Any] = {"invitation": found, "status": status, "Status": Invitation.Status}
    if status != Invitation.Status.PENDING:
        return render(request, "accounts/invitation.html", context, status=410)
    signed_in = request.user.is_authenticated
    account = None if signed_in else services.invited_account(found)
    form = None
    if not signed_in:
        initial = {"username": account.username if account else found.email.split("@")[0]}
        if account is not None:
            initial.update(first_name=account.first_name, last_name=account.last_name)
        form = AccountForm(
            request.POST if request.method == "POST" else None, initial=initial, account=account
        )
    if request.method == "POST":
        if login_wait(request) is not None:
            return _throttled(request, "accounts/invitation.html", {**context, "form": form})
        if form is None or form.is_valid():
            try:
                user, taken = services.invitation_take_up(
                    token=token,
                    user=request.user if signed_in else None,
                    account_data=form.cleaned_data if form is not None else None,
                )
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return redirect(request.path)
                add_service_errors(form, error)
            else:
                if not signed_in:
                    login(request, user, backend=BACKEND)
                messages.success(request, f"Welcome to {taken.organisation.name}.")
                return redirect("missions:home", org=taken.organisation.slug)
    context.update(form=form, account=account, login_url=f"{reverse('login')}?next={request.path}")
    return render(
        request,
        "accounts/invitation.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


# Django's form views answer PUT like POST; these pages take what a browser sends.
FORM_METHODS = ["get", "post", "head", "options"]


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email; the link is built from ``SITE_URL``, the email has an HTML
    part, and requests are rate-limited per client IP like log-ins."""

    http_method_names = FORM_METHODS
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if login_wait(request) is not None:
            form = self.get_form_class()()
            context = self.get_context_data(form=form, throttled_message=LOGIN_THROTTLED_MESSAGE)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link, and be signed in."""

    http_method_names = FORM_METHODS
    post_reset_login = True
    post_reset_login_backend = BACKEND
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Django's view answers any method while it checks the link; refuse others first.
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    http_method_names = FORM_METHODS
    success_url = reverse_lazy("password_change_done")
