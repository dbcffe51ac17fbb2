"""Sign-up and the first-run page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from crm.accounts import enable_admin_editing
from crm.http import AuthenticatedHttpRequest
from crm.models import Profile
from crm.onboarding.forms import FirstRunForm, SignUpForm
from crm.onboarding.timezones import time_zone_names

# Sign-up ----------------------------------------------------------------------------


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """Creates an account, only when SIGNUP_ENABLED is on, then asks the first-run questions."""
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is turned off on this server.")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        enable_admin_editing(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("crm:first-run")
    return render(request, "registration/signup.html", {"form": form})


# First run --------------------------------------------------------------------------


def first_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Time zone (pre-filled from the browser's Intl zone), name and signature.

    Saving goes through Profile.save(), so a changed zone re-times what is pending.
    """
    profile = Profile.for_user(request.user)
    form = FirstRunForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"All set: times are shown in {profile.time_zone}.")
        return redirect("home")
    context = {"form": form, "time_zone_names": time_zone_names()}
    return render(request, "crm/onboarding/first_run.html", context)
