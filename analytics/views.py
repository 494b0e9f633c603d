"""HTML pages of the analytics app: the role's dashboard, a teacher's or a student's dashboard, the quiz analytics
page and the printable reports (the same templates the PDFs are rendered from).

Every object is loaded through its model's scoped queryset, so an outsider (a student included, on the staff
pages) gets 404, as from the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Student, Teacher
from analytics import exports, selectors
from analytics.charts import histogram_svg
from analytics.forms import AttemptsModeForm
from attempts.models import QuizAttempt
from quizzes.models import Quiz


@require_GET
@login_required
def dashboard(request):
    """One URL for everybody: the admin, teacher or student dashboard depending on the role."""
    user = request.user
    if user.is_admin:
        return render(request, "analytics/dashboard_admin.html", {"data": selectors.admin_analytics()})
    if user.is_teacher:
        teacher = get_object_or_404(Teacher.objects.manageable_by(user).select_related("user"), pk=user.pk)
        return _teacher_page(request, teacher, own=True)
    student = get_object_or_404(Student.objects.visible_to(user).select_related("user", "school_class"), pk=user.pk)
    return _student_page(request, student, own=True)


@require_GET
@login_required
def teacher_dashboard(request, teacher_id):
    teacher = get_object_or_404(Teacher.objects.manageable_by(request.user).select_related("user"), pk=teacher_id)
    return _teacher_page(request, teacher, own=teacher.pk == request.user.pk)


@require_GET
@login_required
def student_dashboard(request, student_id):
    students = Student.objects.visible_to(request.user).select_related("user", "school_class")
    student = get_object_or_404(students, pk=student_id)
    return _student_page(request, student, own=student.pk == request.user.pk)


def _teacher_page(request, teacher, *, own: bool):
    return render(
        request, "analytics/dashboard_teacher.html", {"data": selectors.teacher_analytics(teacher), "own": own}
    )


def _student_page(request, student, *, own: bool):
    return render(
        request, "analytics/dashboard_student.html", {"data": selectors.student_analytics(student), "own": own}
    )


@require_GET
@login_required
def quiz_analytics(request, quiz_id):
    quiz = get_object_or_404(
        Quiz.objects.manageable_by(request.user).select_related(*selectors.QUIZ_RELATED), pk=quiz_id
    )
    form = AttemptsModeForm(request.GET or None)
    if request.GET and not form.is_valid():
        messages.warning(request, "Unknown choice of attempts; showing all attempts.")
    mode = form.mode()
    data = selectors.quiz_analytics(quiz, attempts=mode)
    return render(
        request,
        "analytics/quiz.html",
        {
            "quiz": quiz,
            "data": data,
            "form": form,
            "mode": mode,
            "histogram": histogram_svg(data["score_distribution"]),
            "explanations": exports.STATISTIC_EXPLANATIONS,
        },
    )


@require_GET
@login_required
def quiz_print(request, quiz_id):
    quiz = get_object_or_404(
        Quiz.objects.manageable_by(request.user).select_related(*selectors.QUIZ_RELATED), pk=quiz_id
    )
    mode = AttemptsModeForm(request.GET or None).mode()
    context = exports.quiz_report_context(quiz, attempts=mode)
    context["back_url"] = reverse("analytics:quiz", args=[quiz.pk]) + f"?attempts={mode}"
    context["pdf_url"] = reverse("analytics-quiz-export", kwargs={"quiz_id": quiz.pk}) + f"?format=pdf&attempts={mode}"
    return render(request, "analytics/print/quiz_report.html", context)


@require_GET
@login_required
def attempt_print(request, attempt_id):
    attempts = QuizAttempt.objects.reportable_by(request.user).select_related(*selectors.REPORT_RELATED)
    attempt = get_object_or_404(attempts, pk=attempt_id)
    context = selectors.attempt_report(attempt, viewer=request.user)
    context["pdf_url"] = reverse("exports-attempt-pdf", kwargs={"attempt_id": attempt.pk})
    context["back_url"] = reverse("analytics:dashboard")
    return render(request, "analytics/print/attempt_report.html", context)
