"""Pages of the integrity app: a quiz's collusion leads, one lead side by side with the teacher's conclusion.
Staff only (students get 403, outsiders 404 through the scoped querysets); a lead is never shown to a student."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrity import selectors, services
from integrity.forms import ConclusionForm
from integrity.models import CollusionLead
from quizsite.errors import DomainError
from quizsite.pages import apply_errors, show_error, staff_required
from quizzes.models import Quiz


@require_GET
@staff_required
def quiz_leads(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
    data = selectors.quiz_leads(quiz, viewer=request.user)
    return render(
        request,
        "integrity/leads.html",
        {"quiz": quiz, **data, "min_students": services.MIN_STUDENTS, "min_items": services.MIN_ITEMS},
    )


@require_POST
@staff_required
def quiz_leads_compute(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
    try:
        services.collusion_request(quiz=quiz, by=request.user)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.info(request, "Computing the leads from the latest finished attempts; this takes a few seconds.")
    return redirect("integrity:quiz_leads", quiz_id=quiz.pk)


@require_http_methods(["GET", "POST"])
@staff_required
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
