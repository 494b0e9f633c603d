"""Pages of the classrooms app: classes, rosters, students, imports and exports.

Thin like the API views: load through the scoped querysets (outsiders get 404), call the same services, redirect
after POST with a message. The page plumbing (role decorators, errors on forms and in messages, pagination, file
downloads) is quizsite.pages'.
"""

from __future__ import annotations

import time
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.claim_codes import claim_code_matches
from accounts.models import Accommodation, Teacher
from classrooms import selectors, services
from classrooms.forms import AccommodationForm, AddStudentsForm, AssignTeacherForm, ClassForm, ImportForm, StudentForm
from classrooms.models import ImportJob, SchoolClass
from quizsite.errors import DomainError
from quizsite.pages import admin_required, apply_errors, file_response, paginate, show_error, staff_required


def _get_class(request, pk) -> SchoolClass:
    try:
        return selectors.class_detail(user=request.user, pk=pk)
    except SchoolClass.DoesNotExist:
        raise Http404 from None


def _admin_class(request, pk) -> SchoolClass:
    """A class for the admin-only pages: outsiders get 404 (as everywhere), its own teachers 403."""
    school_class = _get_class(request, pk)
    if not request.user.is_admin:
        raise PermissionDenied
    return school_class


def _get_job(request, pk) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("created_by"), pk=pk)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _form_page(request, form, save, *, template="classrooms/form.html", field_map=None, error_field=None, **context):
    """A form page: a valid POST calls `save(cleaned_data)`, which calls the service and returns the redirect. A
    service's refusal (403) is the page's 403; its other errors go back on the form (a domain error next to
    `error_field`, or at the top)."""
    if request.method == "POST" and form.is_valid():
        try:
            return save(form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            if isinstance(exc, DomainError) and exc.status_code == 403:
                raise PermissionDenied(str(exc)) from None
            if isinstance(exc, DomainError) and error_field:
                form.add_error(error_field, str(exc))
            else:
                apply_errors(form, exc, field_map)
    return render(request, template, {"form": form, **context})


# --- classes ---------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def class_list(request):
    search = request.GET.get("q", "").strip()
    page, query = paginate(request, selectors.class_list(user=request.user, search=search))
    return render(request, "classrooms/class_list.html", {"page": page, "query": query, "search": search})


@staff_required
@require_GET
def class_detail(request, pk):
    school_class = _get_class(request, pk)
    context = {
        "school_class": school_class,
        "teachers": selectors.class_teachers(school_class),
        "roster": school_class.roster,
        "can_manage": school_class.roster_visible,  # the user manages the class (selectors.class_list)
        "add_form": AddStudentsForm(),
        "teacher_form": AssignTeacherForm(user=request.user) if request.user.is_admin else None,
    }
    return render(request, "classrooms/class_detail.html", context)


@admin_required
def class_create(request):
    def save(data):
        school_class = services.class_create(by=request.user, request=request, **data)
        messages.success(request, f"Class {school_class} created.")
        return redirect("classrooms:detail", pk=school_class.pk)

    form = ClassForm(request.POST or None)
    return _form_page(request, form, save, title="New class", submit="Create class")


@staff_required
def class_edit(request, pk):
    school_class = _admin_class(request, pk)

    def save(data):
        services.class_update(school_class=school_class, by=request.user, request=request, **data)
        messages.success(request, "Class saved.")
        return redirect("classrooms:detail", pk=school_class.pk)

    initial = {"name": school_class.name, "section": school_class.section, "academic_year": school_class.academic_year}
    form = ClassForm(request.POST or None, initial=initial)
    return _form_page(request, form, save, title=f"Edit {school_class}", submit="Save", back=school_class)


@staff_required
def class_delete(request, pk):
    school_class = _admin_class(request, pk)
    if request.method == "POST":
        services.class_delete(school_class=school_class, by=request.user, request=request)
        messages.success(request, f"Class {school_class} deleted; its students are now without a class.")
        return redirect("classrooms:list")
    return render(request, "classrooms/confirm_delete.html", {"object": school_class, "back": school_class})


@staff_required
def class_assign_teacher(request, pk):
    school_class = _admin_class(request, pk)

    def save(data):
        teacher = data["teacher"]
        created = services.class_assign_teacher(
            school_class=school_class, teacher=teacher, by=request.user, request=request
        )
        name = teacher.user.name
        messages.success(request, f"{name} now teaches this class." if created else f"{name} already teaches it.")
        return redirect("classrooms:detail", pk=school_class.pk)

    form = AssignTeacherForm(request.POST or None, user=request.user)
    title = f"Assign a teacher to {school_class}"
    return _form_page(
        request,
        form,
        save,
        field_map={"teacher_id": "teacher"},
        error_field="teacher",
        title=title,
        submit="Assign",
        back=school_class,
    )


@staff_required
@require_POST
def class_unassign_teacher(request, pk, teacher_id):
    school_class = _admin_class(request, pk)
    teacher = get_object_or_404(Teacher.objects.visible_to(request.user).select_related("user"), pk=teacher_id)
    try:
        services.class_unassign_teacher(school_class=school_class, teacher=teacher, by=request.user, request=request)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, f"{teacher.user.name} no longer teaches this class.")
    return redirect("classrooms:detail", pk=school_class.pk)


@staff_required
@require_POST
def class_add_students(request, pk):
    school_class = _get_class(request, pk)
    form = AddStudentsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors["registration_numbers"]))
        return redirect("classrooms:detail", pk=school_class.pk)
    try:
        moved = services.class_assign_students(
            school_class=school_class,
            registration_numbers=form.cleaned_data["registration_numbers"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        # All or nothing; unknown and not-yours look the same, as in the API.
        messages.error(request, f"Nothing changed. {' '.join(exc.messages)}")
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, f"{moved} students added to {school_class}.")
    return redirect("classrooms:detail", pk=school_class.pk)


@staff_required
@require_POST
def class_remove_student(request, pk, student_id):
    school_class = _get_class(request, pk)
    student = get_object_or_404(selectors.student_list(user=request.user), pk=student_id, school_class=school_class)
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
    return file_response(pdf, "application/pdf", "claim-slips.pdf")


# --- students --------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def student_list(request):
    search = request.GET.get("q", "").strip()
    class_id = _uuid_or_none(request.GET.get("class_id"))
    classes = SchoolClass.objects.visible_to(request.user).order_by("name", "section")
    if class_id and not classes.filter(pk=class_id).exists():
        class_id = None
    page, query = paginate(request, selectors.student_list(user=request.user, class_id=class_id, search=search))
    context = {"page": page, "query": query, "search": search, "classes": classes, "class_id": class_id}
    return render(request, "classrooms/student_list.html", context)


def _student_values(data) -> dict:
    return {**data, "parent_email": data.get("parent_email") or "", "parent_phone": data.get("parent_phone") or ""}


# Plain claim codes issued from the pages are kept in the issuer's session (server-side), by student, so the code
# page and its slip can show them after the redirect; they go with the session or after CLAIM_CODE_SHOWN_FOR.
CLAIM_CODES_SESSION_KEY = "classrooms_claim_codes"
CLAIM_CODE_SHOWN_FOR = 3600  # seconds
CLAIM_CODES_KEPT = 50


def remember_claim_code(request, slip: dict) -> None:
    """Keep a just-issued code (a services.claim_slip) for its issuer's claim-code page (the Django admin's too)."""
    now = time.time()
    kept = {
        pk: entry
        for pk, entry in (request.session.get(CLAIM_CODES_SESSION_KEY) or {}).items()
        if now - entry.get("at", 0) < CLAIM_CODE_SHOWN_FOR
    }
    kept[slip["student_id"]] = {**slip, "at": now}
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-CLAIM_CODES_KEPT:]
    request.session[CLAIM_CODES_SESSION_KEY] = dict(newest)


def _remembered_claim_code(request, student) -> dict | None:
    """The code this session issued to `student`, while it is recent and still the one that claims the account
    (not used, not replaced by a re-issue from elsewhere)."""
    entry = (request.session.get(CLAIM_CODES_SESSION_KEY) or {}).get(str(student.pk))
    if entry is None or time.time() - entry.get("at", 0) >= CLAIM_CODE_SHOWN_FOR or student.is_account_claimed:
        return None
    return entry if claim_code_matches(entry.get("code", ""), student.claim_code_hash) else None


@staff_required
def student_create(request):
    def save(data):
        student = services.student_create(by=request.user, request=request, **_student_values(data))
        if student.claim_code:
            remember_claim_code(request, services.claim_slip(student, student.claim_code))
            messages.success(request, f"Student {student.user.name} created. Give them this claim code.")
            return redirect("classrooms:student_claim_code", pk=student.pk)
        messages.success(
            request, f"Student {student.user.name} created; they can claim their account with their date of birth."
        )
        if student.school_class_id:
            return redirect("classrooms:detail", pk=student.school_class_id)
        return redirect("classrooms:students")

    initial = {}
    if class_id := _uuid_or_none(request.GET.get("class_id")):
        initial["school_class"] = SchoolClass.objects.manageable_by(request.user).filter(pk=class_id).first()
    form = StudentForm(request.POST or None, user=request.user, initial=initial)
    return _form_page(
        request, form, save, field_map={"class_id": "school_class"}, title="New student", submit="Create student"
    )


@staff_required
def student_edit(request, pk):
    student = get_object_or_404(selectors.student_list(user=request.user), pk=pk)

    def save(data):
        services.student_update(student=student, by=request.user, request=request, **_student_values(data))
        messages.success(request, "Student saved.")
        return redirect("classrooms:students")

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
    title = f"Edit {student.user.name}"
    return _form_page(
        request, form, save, field_map={"class_id": "school_class"}, title=title, submit="Save", student=student
    )


@staff_required
@require_http_methods(["GET", "POST"])
def student_claim_code(request, pk):
    """The claim code just issued to a student, for whoever issued it (this session, for an hour), with a link to
    its slip. POST issues a new code (a lost slip), which replaces the old one."""
    student = get_object_or_404(selectors.student_list(user=request.user), pk=pk)
    if request.method == "POST":
        try:
            slip = services.student_claim_code_issue(student=student, by=request.user, request=request)
        except DomainError as exc:
            show_error(request, exc)
        else:
            remember_claim_code(request, slip)
            messages.success(request, f"New claim code issued for {student.user.name}; the old one no longer works.")
        return redirect("classrooms:student_claim_code", pk=student.pk)
    context = {"student": student, "slip": _remembered_claim_code(request, student)}
    return render(request, "classrooms/student_claim_code.html", context)


@staff_required
@require_GET
def student_claim_slip(request, pk):
    student = get_object_or_404(selectors.student_list(user=request.user), pk=pk)
    slip = _remembered_claim_code(request, student)
    if slip is None:
        raise Http404("This claim code is no longer shown; issue a new one.")
    pdf = services.claim_slips_pdf(codes=[slip], title=f"Claim slip — {student.user.name}")
    return file_response(pdf, "application/pdf", "claim-slip.pdf")


@admin_required
def student_delete(request, pk):
    student = get_object_or_404(selectors.student_list(user=request.user), pk=pk)
    if request.method == "POST":
        try:
            services.student_delete(student=student, by=request.user, request=request)
        except DomainError as exc:
            show_error(request, exc)
            return redirect("classrooms:student_edit", pk=student.pk)
        messages.success(request, f"Student {student.user.name} deleted.")
        return redirect("classrooms:students")
    return render(request, "classrooms/confirm_delete.html", {"object": student})


# --- import / export -------------------------------------------------------------------------------------------
@staff_required
def import_upload(request):
    def save(data):
        job = services.import_job_preview(
            by=request.user, upload=data["file"], issue_claim_codes=data["issue_claim_codes"]
        )
        return redirect("classrooms:import_job", pk=job.pk)

    form = ImportForm(request.POST or None, request.FILES or None)
    return _form_page(request, form, save, template="classrooms/import.html", error_field="file")


@staff_required
@require_GET
def import_job(request, pk):
    job = _get_job(request, pk)
    result = job.result or {}
    context = {
        "job": job,
        "result": result,
        "preview": result.get("preview", []),
        "errors": result.get("errors", []),
        "progress": services.import_job_progress(job),
        "claim_codes": services.import_job_claim_codes(job=job, by=request.user),
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
    except DomainError as exc:
        show_error(request, exc)
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
    codes = services.import_job_claim_codes(job=job, by=request.user)
    if not codes:
        raise Http404("The claim codes of this import are no longer available.")
    pdf = services.claim_slips_pdf(codes=codes, title=f"Claim slips — {job.file_name}")
    return file_response(pdf, "application/pdf", "claim-slips.pdf")


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
    school_class = None
    if class_id := request.GET.get("class_id"):
        school_class = get_object_or_404(SchoolClass.objects.visible_to(request.user), pk=_uuid_or_none(class_id))
    try:
        content, content_type, filename = selectors.students_export(
            user=request.user, school_class=school_class, fmt=request.GET.get("format", "csv")
        )
    except DomainError as exc:
        show_error(request, exc)
        return redirect("classrooms:list")
    return file_response(content, content_type, filename)


# --- issue 17: accommodations -----------------------------------------------------------------------------------
ACCOMMODATION_FIELDS = (
    "time_multiplier",
    "extra_minutes",
    "no_time_limit",
    "extra_attempts",
    "exempt_from_focus_violations",
)


@staff_required
@require_http_methods(["GET", "POST"])
def student_accommodation(request, pk):
    """A student's exam accommodations: set, change or remove (the `remove` button), for the student's teachers and
    admins (selectors.student_list scopes it: another teacher's student is 404)."""
    student = get_object_or_404(selectors.student_list(user=request.user), pk=pk)
    current = Accommodation.objects.visible_to(request.user).select_related("set_by").filter(pk=student.pk).first()
    back = reverse("classrooms:detail", args=[student.school_class_id]) if student.school_class_id else None
    if request.method == "POST" and "remove" in request.POST:
        try:
            account_services.accommodation_remove(student=student, by=request.user, request=request)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, f"Accommodations of {student.user.name} removed.")
        return redirect("classrooms:student_accommodation", pk=student.pk)

    def save(data):
        account_services.accommodation_set(student=student, by=request.user, request=request, **data)
        messages.success(request, f"Accommodations of {student.user.name} saved; they apply to every quiz.")
        return redirect("classrooms:student_accommodation", pk=student.pk)

    initial = {f: getattr(current, f) for f in (*ACCOMMODATION_FIELDS, "reason")} if current else {}
    form = AccommodationForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        save,
        template="classrooms/student_accommodation.html",
        student=student,
        current=current,
        back_url=back,
    )
