"""Pages of the grading app: the grading queue, grading one attempt, the live exam board, notifications.

They load through the same selectors (composed from the models' scoped managers) and call the same services as the
API: an attempt or quiz outside the user's reach is a 404, students included, as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Notification
from attempts.models import AttemptStatus
from grading import selectors, services
from grading.filters import GradingQueueFilter
from grading.forms import GradeForm, MinutesForm, ReinstateForm
from grading.services import GradingError
from quizsite.pages import apply_errors, paginate, safe_next, show_error, staff_required
from quizzes.models import Quiz, QuizStatus


def _attempt(request, pk):
    return get_object_or_404(selectors.attempts_for_grading(request.user), pk=pk)


def _quiz(request, pk):
    return get_object_or_404(Quiz.objects.manageable_by(request.user), pk=pk)


@staff_required
def queue(request):
    tab = "graded" if request.GET.get("tab") == "graded" else "pending"
    base = selectors.graded_attempts(request.user) if tab == "graded" else selectors.pending_attempts(request.user)
    filterset = GradingQueueFilter(request.GET, queryset=base)
    page, query = paginate(request, filterset.qs if filterset.is_valid() else base.none())
    # The filter menus offer only what this user may see: their quizzes, the classes their attempts come from.
    quizzes = selectors.queue_quizzes(request.user)
    return render(
        request,
        "grading/queue.html",
        {
            "tab": tab,
            "page": page,
            "query": query,
            "quizzes": quizzes,
            "classes": selectors.queue_classes(request.user),
            "live_quizzes": quizzes.filter(status=QuizStatus.PUBLISHED),
            "quiz_id": request.GET.get("quiz_id", ""),
            "class_id": request.GET.get("class_id", ""),
        },
    )


@login_required
def attempt(request, pk):
    obj = _attempt(request, pk)
    form = GradeForm(request.POST or None, items=selectors.attempt_grading_items(obj))
    if request.method == "POST" and form.is_valid():
        try:
            grades = form.grades()
            if grades:
                obj = services.attempt_grade(attempt=obj, by=request.user, grades=grades, request=request)
                done = obj.status == AttemptStatus.GRADED
                messages.success(
                    request, "Grading completed." if done else "Marks saved; some answers still await marks."
                )
            else:
                messages.info(request, "Nothing changed.")
        except GradingError as exc:
            apply_errors(form, exc)
        else:
            return _after_grading(request, obj)
    return render(
        request,
        "grading/attempt.html",
        {
            "attempt": obj,
            "form": form,
            "violations": obj.violations.all(),
            "next_attempt": selectors.next_pending_attempt(request.user, after=obj),
        },
        status=400 if request.method == "POST" else 200,
    )


def _after_grading(request, obj):
    if "save_next" not in request.POST:
        return redirect("grading:attempt", pk=obj.pk)
    nxt = selectors.next_pending_attempt(request.user, after=obj)
    if nxt is not None:
        return redirect("grading:attempt", pk=nxt.pk)
    messages.info(request, "No other attempt awaits grading.")
    return redirect("grading:queue")


@login_required
def board(request, pk):
    quiz = _quiz(request, pk)
    return render(
        request,
        "grading/board.html",
        {
            "quiz": quiz,
            "status": selectors.quiz_monitor_status(quiz),
            "violations": selectors.recent_violations(quiz),
        },
    )


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.capitalize()) if field else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


def _board_action(request, quiz_id, run, form_class=None):
    """A board action: parse the form, run the service (`run(data)` returns what to tell the teacher), show the
    outcome or the domain error, go back to the board (or the form's `next`)."""
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            done = run(form.cleaned_data if form is not None else {})
            if done:
                messages.success(request, done)
        except GradingError as exc:
            show_error(request, exc)
    return safe_next(request, reverse("grading:board", args=[quiz_id]))


@login_required
@require_POST
def quiz_extend(request, pk):
    quiz = _quiz(request, pk)

    def run(data):
        count = services.quiz_extend_time(quiz=quiz, by=request.user, minutes=data["minutes"], request=request)
        if not count:
            messages.info(request, "Nobody is taking this quiz right now.")
            return None
        return f"{data['minutes']} minute(s) added for {count} student(s)."

    return _board_action(request, quiz.pk, run, MinutesForm)


@login_required
@require_POST
def attempt_extend(request, pk):
    obj = _attempt(request, pk)

    def run(data):
        services.attempt_extend_time(attempt=obj, by=request.user, minutes=data["minutes"], request=request)
        return f"{obj.student.user.name} has {data['minutes']} more minute(s)."

    return _board_action(request, obj.quiz_id, run, MinutesForm)


@login_required
@require_POST
def attempt_force_submit(request, pk):
    obj = _attempt(request, pk)

    def run(data):
        services.attempt_force_submit(attempt=obj, by=request.user, request=request)
        return f"{obj.student.user.name}'s attempt was submitted."

    return _board_action(request, obj.quiz_id, run)


@login_required
@require_POST
def attempt_reinstate(request, pk):
    obj = _attempt(request, pk)

    def run(data):
        services.attempt_reinstate(
            attempt=obj, by=request.user, reason=data["reason"], minutes=data.get("minutes"), request=request
        )
        return f"{obj.student.user.name}'s attempt was reopened."

    return _board_action(request, obj.quiz_id, run, ReinstateForm)


@login_required
def notifications(request):
    qs = Notification.objects.visible_to(request.user).order_by("-created_at", "pk")
    unread_only = request.GET.get("unread") in ("1", "true")
    if unread_only:
        qs = qs.filter(is_read=False)
    page, query = paginate(request, qs)
    return render(request, "grading/notifications.html", {"page": page, "query": query, "unread_only": unread_only})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    link = notification.link
    if (
        request.POST.get("follow")
        and link
        and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    ):
        return redirect(link)
    return safe_next(request, reverse("grading:notifications"))


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(by=request.user)
    messages.success(request, f"{count} notification(s) marked as read.")
    return safe_next(request, reverse("grading:notifications"))
