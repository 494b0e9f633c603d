"""HTML pages of the attempts app: enter a code → intro → exam → result, and "my results".

Thin: the pages call the same services and read the same selectors as the API; the exam page's script talks to the
API endpoints (session auth + CSRF token) and the plain form posts here as the fallback without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Student
from attempts import access, services
from attempts.autosave import question_meta
from attempts.errors import AttemptError
from attempts.forms import AccessCodeForm
from attempts.models import AttemptStatus, QuizAttempt, SubmitReason
from attempts.selectors import (
    access_code_refusal,
    attempt_detail,
    attempt_exam,
    can_review,
    quiz_is_assigned,
    reveals_answers,
)
from quizsite.clientip import client_ip
from quizsite.pages import paginate, show_error, staff_required, student_required
from quizsite.text import strips_control_characters
from quizzes.effective import effective_settings
from quizzes.models import Quiz
from quizzes.selectors import quiz_get_by_access_code

MY_RESULTS_PER_PAGE = 20


def _student(request) -> Student:
    return get_object_or_404(Student.objects.select_related("user", "school_class"), pk=request.user.pk)


def _own_attempt(request, pk) -> QuizAttempt:
    """The signed-in student's attempt (anyone else's is 404), closed first if its time ran out meanwhile."""
    attempt = get_object_or_404(
        QuizAttempt.objects.for_student(request.user).select_related("quiz", "student__user"), pk=pk
    )
    return services.attempt_expire_if_overdue(attempt=attempt)


def _quiz_for_student(request, student: Student, pk) -> Quiz:
    """A quiz the student may see and that is assigned to their class; anything else is 404."""
    quiz = get_object_or_404(Quiz.objects.visible_to(request.user), pk=pk)
    if not quiz_is_assigned(quiz=quiz, student=student):
        raise Http404("No such quiz for your class.")
    return quiz


@student_required
def enter(request):
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["access_code"]
        # The API's lookup (GET /quizzes/access/{code}): the page accepts exactly what the API accepts.
        quiz = quiz_get_by_access_code(user=request.user, code=code)
        if quiz is not None:
            return redirect("attempts:intro", pk=quiz.pk)
        form.add_error("access_code", access_code_refusal(student=_student(request), code=code))
    return render(request, "attempts/enter.html", {"form": form})


@student_required
@never_cache  # "Start quiz" or "Resume", attempts used: never a stale copy from the back button or a proxy
def intro(request, pk):
    student = _student(request)
    quiz = _quiz_for_student(request, student, pk)
    services.expire_overdue_for_student(student_id=student.pk)
    qqs = list(quiz.quiz_questions.select_related("question"))
    slots = list(quiz.slots.all())  # issue 16: each random slot adds its drawn questions
    attempts = list(QuizAttempt.objects.for_student(request.user).filter(quiz=quiz).order_by("attempt_number"))
    in_progress = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
    eff = effective_settings(quiz=quiz, student=student)
    ask_network_password = False
    try:
        access.check_quiz_access(request, quiz)
        access_refusal = None
    except AttemptError as exc:
        access_refusal = exc.message
        ask_network_password = exc.code == "network_not_allowed" and bool(quiz.network_password)
    context = {
        "eff": eff,
        "access_refusal": None if ask_network_password else access_refusal,
        "ask_network_password": ask_network_password,
        "quiz": quiz,
        "question_count": len(qqs) + sum(s.count for s in slots),
        "total_marks": sum(qq.marks for qq in qqs) + sum(s.count * s.marks for s in slots),
        "attempts": attempts,
        "in_progress": in_progress,
        "refusal": None if in_progress else services.start_refusal(quiz=quiz, student=student, settings=eff),
        "grace_seconds": quiz.grace_seconds,
    }
    return render(request, "attempts/intro.html", context)


@student_required
@require_POST
def start(request, pk):
    student = _student(request)
    quiz = _quiz_for_student(request, student, pk)
    try:
        attempt, _created, token = services.attempt_start_through_access(
            request=request,
            network_password=request.POST.get("network_password"),
            quiz=quiz,
            student=student,
            by=request.user,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except AttemptError as exc:
        show_error(request, exc)
        return redirect("attempts:intro", pk=quiz.pk)
    response = redirect("attempts:take", pk=attempt.pk)
    access.set_session_cookie(request, response, attempt, token)
    return response


def _exam_context(request, attempt: QuizAttempt) -> dict:
    exam = attempt_exam(attempt)
    seqs = [q.saved_answer.client_seq for q in exam.questions if q.saved_answer and q.saved_answer.client_seq]
    config = {
        "attemptId": str(attempt.pk),
        "answerUrl": f"/api/v1/attempts/{attempt.pk}/answer",
        "submitUrl": f"/api/v1/attempts/{attempt.pk}/submit",
        "violationUrl": f"/api/v1/attempts/{attempt.pk}/violations",
        "resultUrl": reverse("attempts:result", args=[attempt.pk]),
        "csrfToken": get_token(request),
        "timeRemainingMs": max(0, int((attempt.deadline - timezone.now()).total_seconds() * 1000)),
        "threshold": attempt.quiz.violation_threshold,
        # Issue 17: "warning 2 of 3" only when the threshold auto-submits; a flag lets the student explain.
        "violationAction": attempt.quiz.violation_action,
        "toleranceMs": int(attempt.quiz.violation_tolerance_seconds * 1000),
        "focusExempt": effective_settings(quiz=attempt.quiz, student=attempt.student).exempt_from_focus_violations,
        "flagged": attempt.flagged_at is not None,
        "explanationUrl": f"/api/v1/attempts/{attempt.pk}/explanation",
        "totalViolations": attempt.total_violations,
        "maxSeq": max(seqs, default=0),
        "questionIds": [str(q.id) for q in exam.questions],
        "flagUrl": f"/api/v1/attempts/{attempt.pk}/flags",  # issue 16
    }
    return {"attempt": attempt, "quiz": attempt.quiz, "exam": exam, "questions": exam.questions, "config": config}


@student_required
def take(request, pk):
    attempt = _own_attempt(request, pk)
    if attempt.is_finished:
        return redirect("attempts:result", pk=attempt.pk)
    try:
        token = access.claim_session(request, attempt)  # issue 17: network, SEB, one session (claimed if free)
    except AttemptError as exc:
        return render(request, "attempts/blocked.html", {"quiz": attempt.quiz, "message": exc.message}, status=403)
    response = render(request, "attempts/take.html", _exam_context(request, attempt))
    access.set_session_cookie(request, response, attempt, token)
    # The page holds live answers: never serve it from the browser's back/forward cache or a proxy.
    response["Cache-Control"] = "no-store"
    return response


def _posted_answers(request, attempt: QuizAttempt) -> list[dict]:
    """The plain form's fields answer-<question id> (the exam without JavaScript), as displayed indexes."""
    items = []
    for qid, meta in question_meta(attempt).items():
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


@strips_control_characters  # the exam form without JavaScript: a pasted control character must not lose the answers
@student_required
@require_POST
def submit(request, pk):
    attempt = _own_attempt(request, pk)
    if not attempt.is_finished:
        try:
            access.check_attempt_request(request, attempt_id=attempt.pk)  # issue 17
        except AttemptError as exc:
            show_error(request, exc)
            return redirect("attempts:take", pk=attempt.pk)
        items = _posted_answers(request, attempt)
        if items:
            try:
                services.answers_save(
                    attempt_id=attempt.pk, answers=items, student_id=request.user.pk, student_name=request.user.name
                )
            except AttemptError as exc:
                if exc.status_code != 409:  # finished meanwhile: the submit below shows the result
                    show_error(request, exc)
                    return redirect("attempts:take", pk=attempt.pk)
        attempt = services.attempt_submit(attempt=attempt, by=request.user)
        messages.success(request, "Your quiz has been submitted.")
    return redirect("attempts:result", pk=attempt.pk)


END_REASONS = {
    SubmitReason.DEADLINE: "Time ran out, so your quiz was submitted automatically with the answers you had saved.",
    SubmitReason.VIOLATIONS: "Your quiz was submitted automatically because it reached the violation limit.",
    SubmitReason.TEACHER: "Your teacher ended your quiz.",
}


@student_required
def result(request, pk):
    attempt = _own_attempt(request, pk)
    if not attempt.is_finished:
        return redirect("attempts:take", pk=attempt.pk)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "detail": attempt_detail(attempt, request.user),
        "graded": attempt.status == AttemptStatus.GRADED,
        "review": can_review(attempt, request.user),
        "reveal": reveals_answers(attempt, request.user),
        "end_reason": END_REASONS.get(attempt.submit_reason, ""),
        "can_explain": attempt.flagged_at is not None or attempt.auto_submitted_due_to_violations,
    }
    return render(request, "attempts/result.html", context)


@strips_control_characters
@student_required
@require_POST
def explain(request, pk):
    """Issue 17: the student's explanation of their violations (the result page's form; the exam page uses the API)."""
    attempt = _own_attempt(request, pk)
    try:
        services.attempt_explain(attempt=attempt, by=request.user, text=request.POST.get("explanation", ""))
    except AttemptError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "Your explanation was sent to your teacher.")
    return redirect("attempts:result", pk=attempt.pk)


@student_required
def mine(request):
    services.expire_overdue_for_student(student_id=request.user.pk)
    attempts = QuizAttempt.objects.for_student(request.user).select_related("quiz").order_by("-started_at")
    page, query = paginate(request, attempts, per_page=MY_RESULTS_PER_PAGE)
    return render(request, "attempts/mine.html", {"page": page, "query": query})


@staff_required
@require_POST
def release_session(request, pk):
    """Issue 17: the board's "release" button: the student may continue the attempt in another browser."""
    attempt = get_object_or_404(QuizAttempt.objects.gradable_by(request.user), pk=pk)
    try:
        access.attempt_release_session(attempt=attempt, by=request.user)
    except AttemptError as exc:
        show_error(request, exc)
    else:
        messages.success(request, f"{attempt.student.user.name} can now continue in another browser.")
    return redirect("grading:board", pk=attempt.quiz_id)
