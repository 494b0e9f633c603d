"""Pages of the classrooms app: classes, rosters, students, imports and exports.

Thin like the API views: load through the scoped selectors (outsiders get 404), call the same services, redirect
after POST with a message. Domain errors become messages, validation errors go next to the fields.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Teacher
from classrooms import selectors, services
from classrooms.errors import ClassroomError
from classrooms.forms import AddStudentsForm, AssignTeacherForm, ClassForm, ImportForm, StudentForm
from classrooms.models import ImportJob, SchoolClass
from quizsite.errors import DomainError

PAGE_SIZE = 25


def staff_required(view):
    """Admins and teachers only; students get 403, anonymous users the login page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_admin or request.user.is_teacher):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _form_errors(form, exc: ValidationError, field_map: dict | None = None) -> None:
    field_map = field_map or {}
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            field = field_map.get(field, field)
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _get_class(request, pk) -> SchoolClass:
    try:
        return selectors.class_detail(user=request.user, pk=pk)
    except SchoolClass.DoesNotExist:
        raise Http404 from None


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- classes ---------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def class_list(request):
    search = request.GET.get("q", "").strip()
    page = _page(request, selectors.class_list(user=request.user, search=search))
    return render(request, "classrooms/class_list.html", {"page": page, "search": search})


@staff_required
@require_GET
def class_detail(request, pk):
    school_class = _get_class(request, pk)
    can_manage = selectors.can_manage_class(request.user, school_class)
    context = {
        "school_class": school_class,
        "teachers": selectors.class_teachers(school_class),
        "roster": school_class.roster,
        "can_manage": can_manage,
        "add_form": AddStudentsForm(),
        "teacher_form": AssignTeacherForm() if request.user.is_admin else None,
    }
    return render(request, "classrooms/class_detail.html", context)


@admin_required
def class_create(request):
    form = ClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.class_create(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Class {school_class} created.")
            return redirect("classrooms:detail", pk=school_class.pk)
    return render(request, "classrooms/form.html", {"form": form, "title": "New class", "submit": "Create class"})


@staff_required
def class_edit(request, pk):
    school_class = _get_class(request, pk)
    if not request.user.is_admin:
        raise PermissionDenied
    initial = {"name": school_class.name, "section": school_class.section, "academic_year": school_class.academic_year}
    form = ClassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.class_update(school_class=school_class, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Class saved.")
            return redirect("classrooms:detail", pk=school_class.pk)
    context = {"form": form, "title": f"Edit {school_class}", "submit": "Save", "back": school_class}
    return render(request, "classrooms/form.html", context)


@staff_required
def class_delete(request, pk):
    school_class = _get_class(request, pk)
    if not request.user.is_admin:
        raise PermissionDenied
    if request.method == "POST":
        services.class_delete(school_class=school_class, by=request.user, request=request)
        messages.success(request, f"Class {school_class} deleted; its students are now without a class.")
        return redirect("classrooms:list")
    return render(request, "classrooms/confirm_delete.html", {"object": school_class, "back": school_class})


@staff_required
def class_assign_teacher(request, pk):
    school_class = _get_class(request, pk)
    if not request.user.is_admin:
        raise PermissionDenied
    form = AssignTeacherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.class_assign_teacher(
                school_class=school_class, teacher=form.cleaned_data["teacher"], by=request.user, request=request
            )
        except DomainError as exc:
            form.add_error("teacher", exc.message)
        else:
            name = form.cleaned_data["teacher"].user.name
            messages.success(request, f"{name} now teaches this class." if created else f"{name} already teaches it.")
            return redirect("classrooms:detail", pk=school_class.pk)
    context = {"form": form, "title": f"Assign a teacher to {school_class}", "submit": "Assign", "back": school_class}
    return render(request, "classrooms/form.html", context)


@staff_required
@require_POST
def class_unassign_teacher(request, pk, teacher_id):
    school_class = _get_class(request, pk)
    if not request.user.is_admin:
        raise PermissionDenied
    teacher = get_object_or_404(Teacher.objects.select_related("user"), pk=teacher_id)
    try:
        services.class_unassign_teacher(school_class=school_class, teacher=teacher, by=request.user, request=request)
    except ClassroomError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{teacher.user.name} no longer teaches this class.")
    return redirect("classrooms:detail", pk=school_class.pk)


@staff_required
@require_POST
def class_add_students(request, pk):
    school_class = _get_class(request, pk)
    if not selectors.can_manage_class(request.user, school_class):
        raise PermissionDenied
    form = AddStudentsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors["registration_numbers"]))
        return redirect("classrooms:detail", pk=school_class.pk)
    numbers = form.cleaned_data["registration_numbers"]
    students = list(selectors.students_assignable_by(request.user).filter(registration_number__in=numbers))
    unknown = sorted(set(numbers) - {s.registration_number for s in students})
    if unknown:
        # Unknown and not-yours look the same, as in the API.
        messages.error(request, f"Nothing changed. Unknown registration numbers: {', '.join(unknown)}")
        return redirect("classrooms:detail", pk=school_class.pk)
    moved = services.class_assign_students(
        school_class=school_class, students=students, by=request.user, request=request
    )
    messages.success(request, f"{moved} students added to {school_class}.")
    return redirect("classrooms:detail", pk=school_class.pk)


@staff_required
@require_POST
def class_remove_student(request, pk, student_id):
    school_class = _get_class(request, pk)
    student = get_object_or_404(selectors.students_visible_to(request.user), pk=student_id, school_class=school_class)
    services.class_remove_student(school_class=school_class, student=student, by=request.user, request=request)
    messages.success(request, f"{student.user.name} removed from {school_class}.")
    return redirect("classrooms:detail", pk=school_class.pk)


@staff_required
@require_POST
def class_claim_slips(request, pk):
    """Re-issue claim codes for the class's unclaimed students and download their slips (old codes stop working)."""
    school_class = _get_class(request, pk)
    codes = services.claim_codes_reissue(school_class=school_class, by=request.user, request=request)
    if not codes:
        messages.info(request, "Every student of this class has already claimed their account.")
        return redirect("classrooms:detail", pk=school_class.pk)
    pdf = services.claim_slips_pdf(codes=codes, title=f"Claim slips — {school_class}")
    return _file_response(pdf, "application/pdf", "claim-slips.pdf")


# --- students --------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def student_list(request):
    search = request.GET.get("q", "").strip()
    class_id = _uuid_or_none(request.GET.get("class_id"))
    classes = selectors.classes_visible_to(request.user).order_by("name", "section")
    if class_id and not classes.filter(pk=class_id).exists():
        class_id = None
    page = _page(request, selectors.student_list(user=request.user, class_id=class_id, search=search))
    context = {"page": page, "search": search, "classes": classes, "class_id": class_id}
    return render(request, "classrooms/student_list.html", context)


def _student_values(form) -> dict:
    data = dict(form.cleaned_data)
    data["parent_email"] = data.get("parent_email") or ""
    data["parent_phone"] = data.get("parent_phone") or ""
    return data


@staff_required
def student_create(request):
    initial = {}
    if class_id := _uuid_or_none(request.GET.get("class_id")):
        initial["school_class"] = selectors.classes_managed_by(request.user).filter(pk=class_id).first()
    form = StudentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            student = services.student_create(by=request.user, request=request, **_student_values(form))
        except ValidationError as exc:
            _form_errors(form, exc, {"class_id": "school_class"})
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Student {student.user.name} created; they can now claim their account.")
            if student.school_class_id:
                return redirect("classrooms:detail", pk=student.school_class_id)
            return redirect("classrooms:students")
    return render(request, "classrooms/form.html", {"form": form, "title": "New student", "submit": "Create student"})


@staff_required
def student_edit(request, pk):
    student = get_object_or_404(selectors.students_visible_to(request.user), pk=pk)
    initial = {
        "name": student.user.name,
        "email": student.user.email,
        "registration_number": student.registration_number,
        "school_class": student.school_class,
        "date_of_birth": student.date_of_birth,
        "parent_email": student.parent_email,
        "parent_phone": student.parent_phone,
    }
    form = StudentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.student_update(student=student, by=request.user, request=request, **_student_values(form))
        except ValidationError as exc:
            _form_errors(form, exc, {"class_id": "school_class"})
        except ClassroomError as exc:
            if exc.status_code == 403:
                raise PermissionDenied from None
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Student saved.")
            return redirect("classrooms:students")
    context = {"form": form, "title": f"Edit {student.user.name}", "submit": "Save", "student": student}
    return render(request, "classrooms/form.html", context)


@admin_required
def student_delete(request, pk):
    student = get_object_or_404(selectors.students_visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.student_delete(student=student, by=request.user, request=request)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("classrooms:student_edit", pk=student.pk)
        messages.success(request, f"Student {student.user.name} deleted.")
        return redirect("classrooms:students")
    return render(request, "classrooms/confirm_delete.html", {"object": student})


# --- import / export -------------------------------------------------------------------------------------------
@staff_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_preview(
                by=request.user,
                upload=form.cleaned_data["file"],
                issue_claim_codes=form.cleaned_data["issue_claim_codes"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("classrooms:import_job", pk=job.pk)
    return render(request, "classrooms/import.html", {"form": form})


def _get_job(request, pk) -> ImportJob:
    return get_object_or_404(selectors.import_jobs_visible_to(request.user).select_related("created_by"), pk=pk)


@staff_required
@require_GET
def import_job(request, pk):
    job = _get_job(request, pk)
    result = job.result or {}
    codes = services.import_job_claim_codes(job) if job.created_by_id == request.user.pk else []
    context = {
        "job": job,
        "result": result,
        "preview": result.get("preview", []),
        "errors": result.get("errors", []),
        "progress": services.import_job_progress(job),
        "claim_codes": codes,
        "status_url": reverse("classrooms-api:import-job", kwargs={"pk": job.pk}),
        "async_threshold": services.ASYNC_THRESHOLD,
    }
    return render(request, "classrooms/import_job.html", context)


@staff_required
@require_POST
def import_confirm(request, pk):
    job = _get_job(request, pk)
    try:
        job = services.import_job_start(job=job, by=request.user)
    except ClassroomError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == ImportJob.Status.DONE:
            messages.success(request, job.result["message"])
        elif job.status == ImportJob.Status.FAILED:
            messages.error(request, job.error)
        else:
            messages.info(request, "The import is running; this page updates when it is done.")
    return redirect("classrooms:import_job", pk=job.pk)


@staff_required
@require_GET
def import_claim_slips(request, pk):
    job = _get_job(request, pk)
    codes = services.import_job_claim_codes(job) if job.created_by_id == request.user.pk else []
    if not codes:
        raise Http404("The claim codes of this import are no longer available.")
    pdf = services.claim_slips_pdf(codes=codes, title=f"Claim slips — {job.file_name}")
    return _file_response(pdf, "application/pdf", "claim-slips.pdf")


@staff_required
@require_POST
def import_discard_codes(request, pk):
    job = _get_job(request, pk)
    services.import_job_discard_codes(job=job, by=request.user)
    messages.success(request, "The claim codes of this import were discarded; re-issue them from a class if needed.")
    return redirect("classrooms:import_job", pk=job.pk)


@staff_required
@require_GET
def export_students(request):
    class_id = request.GET.get("class_id") or None
    if class_id:
        class_id = get_object_or_404(selectors.classes_visible_to(request.user), pk=_uuid_or_none(class_id)).pk
    try:
        content, content_type, filename = selectors.students_export(
            user=request.user, class_id=class_id, fmt=request.GET.get("format", "csv")
        )
    except ClassroomError as exc:
        messages.error(request, exc.message)
        return redirect("classrooms:list")
    return _file_response(content, content_type, filename)
