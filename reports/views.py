"""Pages of the reports app: your reports (list, progress, download, retry), a quiz's reports (full analytics and
results reports, class packs) and its results e-mails. Objects are loaded through the scoped querysets
(ReportJob.objects.visible_to, Quiz.objects.manageable_by, SchoolClass.objects.visible_to): an outsider gets 404,
a student 403 (staff_required)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.selectors import QUIZ_RELATED
from classrooms.models import SchoolClass
from quizsite.errors import DomainError
from quizsite.pages import paginate, safe_next, show_error, staff_required
from quizzes.models import Quiz
from reports import services
from reports.api.views import report_file_response
from reports.forms import ReportStartForm, ResultsEmailForm
from reports.models import ReportJob


@require_GET
@staff_required
def job_list(request):
    jobs = ReportJob.objects.visible_to(request.user).filter(owner_id=request.user.pk)
    page, query = paginate(request, jobs)
    classes = SchoolClass.objects.manageable_by(request.user).order_by("name", "section")
    visible = SchoolClass.objects.visible_to(request.user).order_by("name", "section")
    return render(
        request, "reports/job_list.html", {"page": page, "query": query, "classes": classes, "visible_classes": visible}
    )


def _quiz_classes(request, quiz):
    """The classes a pack or results e-mail can target: the quiz's classes that this user may see."""
    return SchoolClass.objects.visible_to(request.user).filter(quiz_links__quiz=quiz).order_by("name", "section")


@require_GET
@staff_required
def quiz_reports(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user).select_related(*QUIZ_RELATED), pk=quiz_id)
    jobs = ReportJob.objects.visible_to(request.user).filter(owner_id=request.user.pk, params__quiz_id=str(quiz.pk))
    return render(
        request,
        "reports/quiz.html",
        {"quiz": quiz, "classes": _quiz_classes(request, quiz), "jobs": jobs[:10]},
    )


@staff_required
@require_POST
def job_start(request):
    form = ReportStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That report request was not understood; choose again.")
        return safe_next(request, reverse("reports:list"))
    v = form.cleaned_data
    try:
        job = services.report_job_start(
            by=request.user,
            kind=v["kind"],
            quiz_id=v.get("quiz_id"),
            class_id=v.get("class_id"),
            attempts=v.get("attempts") or None,
            fmt=v.get("format") or None,
            view=v.get("view") or None,
            email_when_done=v.get("email_when_done", False),
            student_id=v.get("student_id"),
            date_from=v.get("date_from"),
            date_to=v.get("date_to"),
        )
    except DomainError as exc:
        show_error(request, exc)
        return safe_next(request, reverse("reports:list"))
    return redirect("reports:job", pk=job.pk)


@require_GET
@staff_required
def job_detail(request, pk):
    job = get_object_or_404(ReportJob.objects.visible_to(request.user).select_related("owner"), pk=pk)
    status_url = reverse("reports-api:job", kwargs={"pk": job.pk})
    return render(request, "reports/job.html", {"job": job, "status_url": status_url})


@require_GET
@staff_required
def job_download(request, pk):
    job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
    try:
        return report_file_response(job)
    except DomainError as exc:
        show_error(request, exc)
        return redirect("reports:job", pk=job.pk)


@staff_required
@require_POST
def job_retry(request, pk):
    job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
    try:
        services.report_job_retry(job=job, by=request.user)
        messages.success(request, "The report is queued again.")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("reports:job", pk=job.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def results_emails(request, quiz_id, class_id):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user).select_related(*QUIZ_RELATED), pk=quiz_id)
    school_class = get_object_or_404(_quiz_classes(request, quiz), pk=class_id)
    form = ResultsEmailForm(request.POST or request.GET or None)
    include_parents = bool(form.is_valid() and form.cleaned_data["include_parents"])
    if request.method == "POST":
        try:
            queued = services.results_emails_send(
                quiz=quiz, school_class=school_class, by=request.user, include_parents=include_parents
            )
            messages.success(request, f"{len(queued)} results e-mail{'s' if len(queued) != 1 else ''} queued.")
        except DomainError as exc:
            show_error(request, exc)
        url = reverse("reports:results_emails", args=[quiz.pk, school_class.pk])
        return redirect(url + ("?include_parents=on" if include_parents else ""))
    try:
        preview = services.results_email_preview(
            quiz=quiz, school_class=school_class, by=request.user, include_parents=include_parents
        )
    except DomainError as exc:
        show_error(request, exc)
        return redirect("reports:quiz", quiz_id=quiz.pk)
    context = {"quiz": quiz, "preview": preview, "form": form, "parents_allowed": settings.RESULTS_EMAIL_TO_PARENTS}
    return render(request, "reports/results_emails.html", context)


@staff_required
@require_POST
def job_cancel(request, pk):
    job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
    try:
        services.report_job_cancel(job=job, by=request.user)
        messages.success(request, "The report was cancelled.")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("reports:job", pk=job.pk)
