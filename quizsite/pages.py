"""The plumbing every app's pages share: who may open a page, how a domain error reaches the user, pagination.

    @staff_required                      # teachers and admins; students 403, anonymous users the login page
    def quiz_list(request): ...

    try:
        services.quiz_publish(quiz=quiz, by=request.user)
    except DomainError as exc:           # a message on the next page
        show_error(request, exc)

    except (DomainError, ValidationError) as exc:
        apply_errors(form, exc)          # next to the fields of a form that is shown again

    page, query = paginate(request, qs)  # templates: {% include "includes/pagination.html" %}

Roles are read through the User's properties (`is_admin`, `is_teacher`, `is_student`, `is_teacher_or_admin`), the
one way the project spells them; objects are loaded through the models' scoped querysets
(`get_object_or_404(Quiz.objects.manageable_by(request.user), pk=pk)`), so an outsider gets 404.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from quizsite.errors import DomainError

PAGE_SIZE = 25


def _role_required(role_property: str, message: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (request.user.is_active and getattr(request.user, role_property)):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = _role_required("is_teacher_or_admin", "Only teachers and administrators can open this page.")
admin_required = _role_required("is_admin", "Only administrators can open this page.")
student_required = _role_required("is_student", "Only students can open this page.")


def show_error(request, exc: DomainError | ValidationError) -> None:
    """A domain or validation error as a message on the next page."""
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(exc))


def apply_errors(form: forms.Form, exc: DomainError | ValidationError, field_map: dict | None = None) -> None:
    """Show a service's error on the form: each field message next to its field, anything else at the top."""
    if isinstance(exc, DomainError):
        form.add_error(None, str(exc))
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    field_map = field_map or {}
    for field, errors in exc.error_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> tuple[Page, str]:
    """The requested page, and the query string without `page` for the links of includes/pagination.html."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def safe_next(request, fallback: str):
    """Redirect to the form's `next` when it points back into this site, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download (export, report, claim slips). Files hold personal data: never kept by a shared cache."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
