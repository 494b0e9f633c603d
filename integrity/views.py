"""Pages of the integrity app: a quiz's collusion leads, one lead side by side with the teacher's conclusion.
Staff only (students get 403, outsiders 404 through the scoped querysets); a lead is never shown to a student."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.statistics import FLAG_LABELS
from integrity import quality, selectors, services
from integrity.forms import ConclusionForm, FixForm
from integrity.models import CollusionLead, QuestionFix
from quizsite.errors import DomainError
from quizsite.pages import apply_errors, show_error, staff_required
from quizzes.models import Question, Quiz, QuizQuestion


@staff_required
@require_GET
def quiz_leads(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
    data = selectors.quiz_leads(quiz, viewer=request.user)
    return render(
        request,
        "integrity/leads.html",
        {"quiz": quiz, **data, "min_students": services.MIN_STUDENTS, "min_items": services.MIN_ITEMS},
    )


@staff_required
@require_POST
def quiz_leads_compute(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
    try:
        services.collusion_request(quiz=quiz, by=request.user)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.info(request, "Computing the leads from the latest finished attempts; this takes a few seconds.")
    return redirect("integrity:quiz_leads", quiz_id=quiz.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def lead_detail(request, lead_id):
    lead = get_object_or_404(
        CollusionLead.objects.visible_to(request.user).select_related(*selectors.LEAD_RELATED), pk=lead_id
    )
    data = selectors.lead_detail(lead, viewer=request.user)
    existing = data["conclusion"]
    initial = {"conclusion": existing.conclusion, "note": existing.note} if existing else None
    form = ConclusionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_conclude(
                lead=lead,
                by=request.user,
                conclusion=form.cleaned_data["conclusion"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Your conclusion is recorded.")
            return redirect("integrity:lead", lead_id=lead.pk)
    return render(request, "integrity/lead.html", {**data, "form": form, "quiz": lead.run.quiz})


# --- the question-quality loop ---------------------------------------------------------------------------------


def _quiz_link(request, quiz_id, question_id) -> QuizQuestion:
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
    return get_object_or_404(
        QuizQuestion.objects.select_related("question", "quiz"), quiz=quiz, question_id=question_id
    )


@staff_required
@require_GET
def question_review(request, quiz_id, question_id):
    link = _quiz_link(request, quiz_id, question_id)
    data = selectors.question_review(link.quiz, link, viewer=request.user)
    reason = "; ".join(data["why"])[:500]
    return render(
        request,
        "integrity/question.html",
        {
            "quiz": link.quiz,
            "link": link,
            "question": link.question,
            **data,
            "default_reason": reason,
            "can_edit_key": Question.objects.manageable_by(request.user).filter(pk=link.question_id).exists(),
        },
    )


@staff_required
@require_POST
def question_fix(request, quiz_id, question_id):
    link = _quiz_link(request, quiz_id, question_id)
    form = FixForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why (the students are told), and choose one of the listed fixes.")
    else:
        try:
            quality.question_fix_apply(
                quiz=link.quiz,
                question=link.question,
                by=request.user,
                action=form.cleaned_data["action"],
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(
                request, "Fixed. Every affected attempt is being re-marked; students whose score changes are told why."
            )
    return redirect("integrity:question", quiz_id=link.quiz_id, question_id=link.question_id)


@staff_required
@require_POST
def question_fix_undo(request, fix_id):
    fix = get_object_or_404(
        QuestionFix.objects.visible_to(request.user).filter(quiz__in=Quiz.objects.manageable_by(request.user)),
        pk=fix_id,
    )
    try:
        quality.question_fix_undo(fix=fix, by=request.user, request=request)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "Undone. The attempts are being re-marked again.")
    return redirect("integrity:question", quiz_id=fix.quiz_id, question_id=fix.question_id)


@staff_required
@require_GET
def question_history(request, question_id):
    """The bank remembers: every flag and fix of the question, in every quiz that used it."""
    question = get_object_or_404(Question.objects.visible_to(request.user), pk=question_id)
    fixes = (
        QuestionFix.objects.visible_to(request.user)
        .filter(question=question)
        .select_related("quiz", "created_by", "undone_by")
    )
    return render(
        request, "integrity/question_history.html", {"question": question, "fixes": fixes, "flag_labels": FLAG_LABELS}
    )
