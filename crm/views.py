"""Views of the crm app: home and sign-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from crm.accounts import enable_admin_editing

# Home -------------------------------------------------------------------------------


def home(request):
    """The starting page; the dashboard replaces it once follow-ups exist."""
    return render(request, "crm/home.html")


# Sign-up ----------------------------------------------------------------------------


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """Creates an account, only when SIGNUP_ENABLED is on."""
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is turned off on this server.")
    form: UserCreationForm = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        enable_admin_editing(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
