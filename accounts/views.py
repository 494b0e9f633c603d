"""HTML pages of the accounts app. Thin: parse a form, load through a scoped queryset, call the same services as
the API, redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import forms, selectors, services
from accounts.filters import AuditLogFilter, UserFilter
from quizsite.pages import admin_required, apply_errors, paginate, safe_next, show_error

BACKEND = "accounts.backends.EmailOrRegistrationNumberBackend"
RESET_EMAIL_KEY = "accounts_reset_email"
RESET_TOKEN_KEY = "accounts_reset_token"


def _render(request, template, context, *, error: services.AccountError | None = None):
    """The form page again; after a refused sign-in, claim or reset with the error's status (401, 403, 429 with
    Retry-After), as the API answers."""
    response = render(request, template, context, status=error.status_code if error else 200)
    if isinstance(error, services.AccountThrottled):
        response["Retry-After"] = str(error.retry_after)
    return response


# --- sign in / out ---------------------------------------------------------------------------------------------
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request):
    if request.user.is_authenticated:
        return safe_next(request, "home")
    form = forms.LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_authenticate(
                identifier=form.cleaned_data["username"], password=form.cleaned_data["password"], request=request
            )
        except services.AccountError as exc:
            error = exc
            apply_errors(form, exc)
        else:
            auth_login(request, user, backend=BACKEND)
            return safe_next(request, "home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # After any refused sign-in, not only for unclaimed numbers: the page must not tell which accounts are unclaimed.
    claim_hint = error is not None and error.status_code == 401
    context = {"form": form, "next": next_url, "claim_hint": claim_hint}
    return _render(request, "accounts/login.html", context, error=error)


@require_POST
def logout_page(request):
    if request.user.is_authenticated:
        services.logout(user=request.user, request=request)
        auth_logout(request)
        messages.success(request, "You have been logged out.")
    return redirect("accounts:login")


# --- claim / reset ---------------------------------------------------------------------------------------------
@sensitive_post_parameters("password", "confirm_password", "claim_code")
@never_cache
@require_http_methods(["GET", "POST"])
def claim_page(request):
    form = forms.ClaimAccountForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.account_claim(
                registration_number=d["registration_number"],
                password=d["password"],
                confirm_password=d["confirm_password"],
                claim_code=d["claim_code"],
                date_of_birth=d["date_of_birth"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.AccountError as exc:
            error = exc
            apply_errors(form, exc)
        else:
            messages.success(request, "Your account is ready. Log in with your registration number and new password.")
            return redirect("accounts:login")
    return _render(request, "accounts/claim.html", {"form": form}, error=error)


@never_cache
@require_http_methods(["GET", "POST"])
def forgot_password_page(request):
    form = forms.ForgotPasswordForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(email=form.cleaned_data["email"], request=request)
        except services.AccountError as exc:
            error = exc
            apply_errors(form, exc)
        else:
            request.session[RESET_EMAIL_KEY] = form.cleaned_data["email"]
            messages.info(request, "If an account uses this address, we have e-mailed it a 6-digit code.")
            return redirect("accounts:verify_code")
    return _render(request, "accounts/forgot_password.html", {"form": form}, error=error)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_code_page(request):
    form = forms.VerifyCodeForm(request.POST or None, initial={"email": request.session.get(RESET_EMAIL_KEY, "")})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            token = services.password_reset_verify(
                email=form.cleaned_data["email"], code=form.cleaned_data["code"], request=request
            )
        except services.AccountError as exc:
            error = exc
            form.add_error("code" if not isinstance(exc, services.AccountThrottled) else None, str(exc))
        else:
            request.session[RESET_TOKEN_KEY] = token
            return redirect("accounts:reset_password")
    return _render(request, "accounts/verify_code.html", {"form": form}, error=error)


@sensitive_post_parameters("new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
def reset_password_page(request):
    token = request.session.get(RESET_TOKEN_KEY)
    if not token:
        messages.warning(request, "Enter the code from the e-mail first.")
        return redirect("accounts:forgot_password")
    form = forms.ResetPasswordForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                reset_token=token,
                new_password=form.cleaned_data["new_password"],
                confirm_password=form.cleaned_data["confirm_password"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.AccountError as exc:
            request.session.pop(RESET_TOKEN_KEY, None)
            show_error(request, exc)
            return redirect("accounts:forgot_password")
        else:
            request.session.pop(RESET_TOKEN_KEY, None)
            request.session.pop(RESET_EMAIL_KEY, None)
            messages.success(request, "Your password has been reset. Log in with the new password.")
            return redirect("accounts:login")
    return _render(request, "accounts/reset_password.html", {"form": form}, error=error)


# --- my profile ------------------------------------------------------------------------------------------------
@sensitive_post_parameters("old_password", "new_password", "confirm_password")
@login_required
@require_http_methods(["GET", "POST"])
def profile_page(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "Your password has been changed. Other devices have been signed out.")
            return redirect("accounts:profile")
    user = selectors.users_for_profile(request.user)
    return render(request, "accounts/profile.html", {"form": form, "profile": user})


# --- user management (admins) ----------------------------------------------------------------------------------
@admin_required
@require_http_methods(["GET"])
def user_list_page(request):
    filter_form = forms.UserFilterForm(request.GET or None)
    qs = UserFilter(request.GET, queryset=selectors.users_visible_to(request.user)).qs
    page, query = paginate(request, qs, 25)
    return render(request, "accounts/user_list.html", {"filter_form": filter_form, "page": page, "query": query})


@admin_required
@require_http_methods(["GET", "POST"])
def user_create_page(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(by=request.user, request=request, **form.cleaned_data)
        except (ValidationError, services.AccountError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{user.name} ({user.get_role_display().lower()}) has been created.")
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": "New user"})


@admin_required
@require_http_methods(["GET", "POST"])
def user_edit_page(request, pk):
    user = get_object_or_404(selectors.users_visible_to(request.user), pk=pk)
    teacher = getattr(user, "teacher", None) if user.is_teacher else None
    initial = {"name": user.name, "email": user.email}
    if teacher is not None:
        initial.update(subject=teacher.subject, department=teacher.department, phone=teacher.phone)
    form = forms.UserEditForm(request.POST or None, initial=initial, is_teacher=user.is_teacher)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (k == "password" and not v)}
        try:
            services.user_update(user=user, by=request.user, request=request, **data)
        except (ValidationError, services.AccountError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{data['name']} has been saved.")
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": f"Edit {user.name}", "target": user})


@admin_required
@require_POST
def user_toggle_active_page(request, pk):
    user = get_object_or_404(selectors.users_visible_to(request.user), pk=pk)
    try:
        services.user_set_active(user=user, by=request.user, is_active=not user.is_active, request=request)
    except (services.AccountError, ValidationError) as exc:
        show_error(request, exc)
    else:
        state = "reactivated" if not user.is_active else "deactivated"
        messages.success(request, f"{user.name} has been {state}.")
    return safe_next(request, "accounts:users")  # back to the filtered, paginated list the admin came from


@admin_required
@require_http_methods(["GET", "POST"])
def user_delete_page(request, pk):
    user = get_object_or_404(selectors.users_visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.user_delete(user=user, by=request.user, request=request)
        except services.AccountError as exc:
            show_error(request, exc)
        else:
            messages.success(request, f"{user.name} has been deleted.")
        return redirect("accounts:users")
    blockers = services.user_delete_blockers(user)
    return render(request, "accounts/user_confirm_delete.html", {"target": user, "blockers": blockers})


@admin_required
@require_http_methods(["GET"])
def audit_log_page(request):
    filter_form = forms.AuditFilterForm(request.GET or None, actions=selectors.audit_actions())
    qs = AuditLogFilter(request.GET, queryset=selectors.audit_logs_visible_to(request.user)).qs
    page, query = paginate(request, qs, 50)
    return render(request, "accounts/audit_log.html", {"filter_form": filter_form, "page": page, "query": query})
