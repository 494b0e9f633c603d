"""Pages of the grading app: the grading queue, grading one attempt, the live exam board, notifications.
They call the same selectors and services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from classrooms.models import SchoolClass
from grading import selectors, services
from grading.filters import GradingQueueFilter
from grading.forms import GradeForm, MinutesForm, ReinstateForm
from grading.services import GradingError
from quizzes.models import QuizStatus


def _staff(request) -> None:
    if not (request.user.is_admin or request.user.is_teacher):
        raise PermissionDenied("Only teachers and administrators can grade.")


# One attempt or quiz: 404 for anyone but the quiz's teacher or an admin (students included), as in the API.
def _attempt(request, pk):
    qs = selectors.attempts_gradable_by(request.user).select_related("quiz", "student__user", "student__school_class")
    return get_object_or_404(qs, pk=pk)


def _quiz(request, pk):
    return get_object_or_404(selectors.quizzes_managed_by(request.user), pk=pk)


def _back(request, fallback: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
def queue(request):
    _staff(request)
    tab = "graded" if request.GET.get("tab") == "graded" else "pending"
    base = selectors.graded_attempts(request.user) if tab == "graded" else selectors.pending_attempts(request.user)
    quizzes = selectors.quizzes_managed_by(request.user).order_by("title")
    filterset = GradingQueueFilter(request.GET, queryset=base)
    # The filter menus offer only what this user may see: their quizzes, the classes their attempts come from.
    page = Paginator(filterset.qs if filterset.is_valid() else base.none(), 25).get_page(request.GET.get("page"))
    classes = SchoolClass.objects.filter(
        students__attempts__in=selectors.attempts_gradable_by(request.user).values("pk")
    ).distinct()
    live = quizzes.filter(status=QuizStatus.PUBLISHED)
    return render(
        request,
        "grading/queue.html",
        {
            "tab": tab,
            "page": page,
            "quizzes": quizzes,
            "classes": classes,
            "live_quizzes": live,
            "quiz_id": request.GET.get("quiz_id", ""),
            "class_id": request.GET.get("class_id", ""),
        },
    )


@login_required
def attempt(request, pk):
    obj = _attempt(request, pk)
    items = selectors.attempt_grading_items(obj)
    form = GradeForm(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                grades = form.grades()
                if grades:
                    services.attempt_grade(attempt=obj, by=request.user, grades=grades, request=request)
                    obj.refresh_from_db()
                    messages.success(
                        request,
                        "Grading completed."
                        if obj.status == "graded"
                        else "Marks saved; some answers still await marks.",
                    )
                else:
                    messages.info(request, "Nothing changed.")
                if "save_next" in request.POST:
                    nxt = selectors.next_pending_attempt(request.user, after=obj)
                    if nxt is not None:
                        return redirect("grading:attempt", pk=nxt.pk)
                    messages.info(request, "No other attempt awaits grading.")
                    return redirect("grading:queue")
                return redirect("grading:attempt", pk=obj.pk)
            except GradingError as exc:
                form.add_error(None, exc.message)
        status = 400
    next_attempt = selectors.next_pending_attempt(request.user, after=obj)
    return render(
        request,
        "grading/attempt.html",
        {
            "attempt": obj,
            "form": form,
            "violations": obj.violations.all(),
            "next_attempt": next_attempt,
        },
        status=status,
    )


@login_required
def board(request, pk):
    quiz = _quiz(request, pk)
    status = selectors.quiz_monitor_status(quiz)
    return render(
        request,
        "grading/board.html",
        {
            "quiz": quiz,
            "status": status,
            "violations": selectors.recent_violations(quiz),
            "extend_form": MinutesForm(),
            "reinstate_form": ReinstateForm(),
            "interval": 5,
        },
    )


def _board_url(attempt_or_quiz_id) -> str:
    return reverse("grading:board", args=[attempt_or_quiz_id])


@login_required
@require_POST
def quiz_extend(request, pk):
    quiz = _quiz(request, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Minutes: " + " ".join(form.errors.get("minutes", ["invalid"])))
    else:
        count = services.quiz_extend_time(
            quiz=quiz, by=request.user, minutes=form.cleaned_data["minutes"], request=request
        )
        if count:
            messages.success(request, f"{form.cleaned_data['minutes']} minute(s) added for {count} student(s).")
        else:
            messages.info(request, "Nobody is taking this quiz right now.")
    return _back(request, _board_url(quiz.pk))


@login_required
@require_POST
def attempt_extend(request, pk):
    obj = _attempt(request, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Minutes: " + " ".join(form.errors.get("minutes", ["invalid"])))
    else:
        try:
            services.attempt_extend_time(
                attempt=obj, by=request.user, minutes=form.cleaned_data["minutes"], request=request
            )
            messages.success(request, f"{obj.student.user.name} has {form.cleaned_data['minutes']} more minute(s).")
        except GradingError as exc:
            messages.error(request, exc.message)
    return _back(request, _board_url(obj.quiz_id))


@login_required
@require_POST
def attempt_force_submit(request, pk):
    obj = _attempt(request, pk)
    try:
        services.attempt_force_submit(attempt=obj, by=request.user, request=request)
        messages.success(request, f"{obj.student.user.name}'s attempt was submitted.")
    except GradingError as exc:
        messages.error(request, exc.message)
    return _back(request, _board_url(obj.quiz_id))


@login_required
@require_POST
def attempt_reinstate(request, pk):
    obj = _attempt(request, pk)
    form = ReinstateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    else:
        try:
            services.attempt_reinstate(
                attempt=obj,
                by=request.user,
                reason=form.cleaned_data["reason"],
                minutes=form.cleaned_data.get("minutes"),
                request=request,
            )
            messages.success(request, f"{obj.student.user.name}'s attempt was reopened.")
        except GradingError as exc:
            messages.error(request, exc.message)
    return _back(request, _board_url(obj.quiz_id))


@login_required
def notifications(request):
    qs = selectors.notifications_of(request.user).order_by("-created_at", "pk")
    unread_only = request.GET.get("unread") in ("1", "true")
    if unread_only:
        qs = qs.filter(is_read=False)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "grading/notifications.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    if (
        request.POST.get("follow")
        and notification.link
        and url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()})
    ):
        return redirect(notification.link)
    return _back(request, reverse("grading:notifications"))


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(by=request.user)
    messages.success(request, f"{count} notification(s) marked as read.")
    return _back(request, reverse("grading:notifications"))
