"""HTML pages of the attempts app: enter a code → intro → exam → result, and "my results".

Thin: the pages call the same services as the API; the exam page's script talks to the API endpoints
(session auth + CSRF token) and the plain form posts here as the fallback without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Student
from attempts import services
from attempts.errors import AttemptError
from attempts.forms import AccessCodeForm
from attempts.models import AttemptStatus, QuizAttempt, SubmitReason
from attempts.selectors import (
    access_code_refusal,
    attempt_detail_payload,
    attempt_exam_payload,
    attempts_for_student,
    can_review,
    quiz_is_assigned,
    reveals_answers,
)
from quizzes.models import Quiz
from quizzes.selectors import quiz_get_by_access_code


def _student(request) -> Student:
    if not request.user.is_student:
        raise PermissionDenied("Only students take quizzes.")
    return get_object_or_404(Student.objects.select_related("user", "school_class"), pk=request.user.pk)


def _own_attempt(request, pk) -> QuizAttempt:
    _student(request)
    attempt = get_object_or_404(attempts_for_student(request.user).select_related("quiz", "student__user"), pk=pk)
    after = services.attempt_expire_if_overdue(attempt=attempt)
    if after is not attempt:
        attempt = attempts_for_student(request.user).select_related("quiz", "student__user").get(pk=pk)
    return attempt


@login_required
def enter(request):
    student = _student(request)
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["access_code"]
        # The API's lookup (GET /quizzes/access/{code}): the page accepts exactly what the API accepts.
        quiz = quiz_get_by_access_code(user=request.user, code=code)
        if quiz is not None:
            return redirect("attempts:intro", pk=quiz.pk)
        form.add_error("access_code", access_code_refusal(student=student, code=code))
    return render(request, "attempts/enter.html", {"form": form})


@login_required
def intro(request, pk):
    student = _student(request)
    quiz = get_object_or_404(Quiz, pk=pk)
    if quiz.status == "draft" or not quiz_is_assigned(quiz=quiz, student=student):
        raise Http404("No such quiz for your class.")
    services.expire_overdue_for_student(student_id=student.pk)
    qqs = list(quiz.quiz_questions.select_related("question"))
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, student=student).order_by("attempt_number"))
    in_progress = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
    context = {
        "quiz": quiz,
        "question_count": len(qqs),
        "total_marks": sum(qq.marks for qq in qqs),
        "attempts": attempts,
        "in_progress": in_progress,
        "refusal": None if in_progress else services.start_refusal(quiz=quiz, student=student),
        "grace_seconds": quiz.grace_seconds,
    }
    return render(request, "attempts/intro.html", context)


@login_required
@require_POST
def start(request, pk):
    student = _student(request)
    quiz = get_object_or_404(Quiz, pk=pk)
    try:
        attempt, _created = services.attempt_start(
            quiz=quiz,
            student=student,
            by=request.user,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except AttemptError as exc:
        if exc.code in ("not_assigned", "not_published"):
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("attempts:intro", pk=quiz.pk)
    return redirect("attempts:take", pk=attempt.pk)


def _exam_context(request, attempt: QuizAttempt) -> dict:
    payload = attempt_exam_payload(attempt)
    questions = payload["questions"]
    for q in questions:
        saved = q["saved_answer"] or {}
        q["saved_option"] = saved.get("answer_option")
        q["saved_text"] = saved.get("answer_text") or ""
    seqs = [q["saved_answer"]["client_seq"] for q in questions if q["saved_answer"] and q["saved_answer"]["client_seq"]]
    config = {
        "attemptId": str(attempt.pk),
        "answerUrl": f"/api/v1/attempts/{attempt.pk}/answer",
        "submitUrl": f"/api/v1/attempts/{attempt.pk}/submit",
        "violationUrl": f"/api/v1/attempts/{attempt.pk}/violations",
        "resultUrl": reverse("attempts:result", args=[attempt.pk]),
        "csrfToken": get_token(request),
        "timeRemainingMs": max(0, int((attempt.deadline - timezone.now()).total_seconds() * 1000)),
        "threshold": attempt.quiz.violation_threshold,
        "totalViolations": attempt.total_violations,
        "maxSeq": max(seqs, default=0),
        "questionIds": [q["id"] for q in questions],
    }
    return {"attempt": attempt, "quiz": attempt.quiz, "exam": payload, "questions": questions, "config": config}


@login_required
def take(request, pk):
    attempt = _own_attempt(request, pk)
    if attempt.is_finished:
        return redirect("attempts:result", pk=attempt.pk)
    response = render(request, "attempts/take.html", _exam_context(request, attempt))
    # The page holds live answers: never serve it from the browser's back/forward cache or a proxy.
    response["Cache-Control"] = "no-store"
    return response


def _posted_answers(request, attempt: QuizAttempt) -> list[dict]:
    """The plain form's fields answer-<question id> (the exam without JavaScript), as displayed indexes."""
    items = []
    for qid, meta in (attempt.question_meta or {}).items():
        key = f"answer-{qid}"
        if key not in request.POST:
            continue
        raw = request.POST.get(key, "")
        if meta.get("options"):
            if raw.strip().isdigit():
                items.append({"question_id": qid, "answer_option": int(raw)})
        else:
            items.append({"question_id": qid, "answer_text": raw})
    return items


@login_required
@require_POST
def submit(request, pk):
    attempt = _own_attempt(request, pk)
    if not attempt.is_finished:
        items = _posted_answers(request, attempt)
        if items:
            try:
                services.answers_save(attempt_id=attempt.pk, answers=items, student_id=request.user.pk)
            except AttemptError as exc:
                if exc.status_code != 409:
                    messages.error(request, exc.message)
                    return redirect("attempts:take", pk=attempt.pk)
        attempt = services.attempt_submit(attempt=attempt, by=request.user)
        messages.success(request, "Your quiz has been submitted.")
    return redirect("attempts:result", pk=attempt.pk)


END_REASONS = {
    SubmitReason.DEADLINE: "Time ran out, so your quiz was submitted automatically with the answers you had saved.",
    SubmitReason.VIOLATIONS: "Your quiz was submitted automatically because it reached the violation limit.",
    SubmitReason.TEACHER: "Your teacher ended your quiz.",
}


@login_required
def result(request, pk):
    attempt = _own_attempt(request, pk)
    if not attempt.is_finished:
        return redirect("attempts:take", pk=attempt.pk)
    detail = attempt_detail_payload(attempt, request.user)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "detail": detail,
        "graded": attempt.status == AttemptStatus.GRADED,
        "review": can_review(attempt, request.user),
        "reveal": reveals_answers(attempt, request.user),
        "end_reason": END_REASONS.get(attempt.submit_reason, ""),
    }
    return render(request, "attempts/result.html", context)


@login_required
def mine(request):
    student = _student(request)
    services.expire_overdue_for_student(student_id=student.pk, now=timezone.now())
    qs = attempts_for_student(request.user).select_related("quiz").order_by("-started_at")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "attempts/mine.html", {"page": page})
