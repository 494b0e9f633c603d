"""Pages of the quizzes app: the question bank, CSV import, the quiz builder, preview, publishing and the access
code for the projector. Every page loads through the same scoped querysets as the API and writes through the same
services; quizsite.pages turns their errors into field errors (apply_errors) or a message (show_error)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from quizsite.errors import DomainError
from quizsite.pages import apply_errors, paginate, show_error, staff_required
from quizzes import selectors, services
from quizzes.filters import QuestionFilter, QuizFilter
from quizzes.forms import (
    BankFilterForm,
    OverrideForm,
    QuestionExportForm,
    QuestionForm,
    QuestionImageForm,
    QuestionImportForm,
    QuizForm,
)
from quizzes.models import (
    Difficulty,
    Question,
    QuestionImage,
    QuestionImportJob,
    QuestionType,
    QuizOverride,
    QuizStatus,
)

# Students get 403 on every page here (staff_required): their quiz pages live in the attempts app.
PAGE_SIZE = 20
# Where a service's error about a field lands on these forms.
QUIZ_FIELD_MAP = {"class_ids": "classes", "created_by": "owner"}


def _quiz_or_404(request, pk):
    return get_object_or_404(selectors.quiz_manage_queryset(user=request.user), pk=pk)


def _question_or_404(request, pk):
    return get_object_or_404(selectors.question_list(user=request.user), pk=pk)


# --- question bank -----------------------------------------------------------------------------------------------


@staff_required
def question_list(request):
    filters = QuestionFilter(request.GET, queryset=selectors.question_list(user=request.user))
    page, query = paginate(request, filters.qs, PAGE_SIZE)
    return render(
        request,
        "quizzes/question_list.html",
        {
            "filter_form": BankFilterForm(request.GET),
            "page": page,
            "query": query,
            "topics": selectors.question_topics(user=request.user),
            "tags": selectors.question_tags(user=request.user),
        },
    )


def _question_form_page(request, *, question: Question | None):
    initial = QuestionForm.initial_for(question) if question else {}
    form = QuestionForm(request.POST or None, user=request.user, initial=initial, creating=question is None)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                question = services.question_create(
                    by=request.user, data=form.service_data(), owner_id=form.owner_id(), request=request
                )
                messages.success(request, "Question added to the bank.")
            else:
                services.question_update(question=question, by=request.user, data=form.service_data(), request=request)
                messages.success(request, "Question saved.")
            return redirect("quizzes:question_list")
        except (DomainError, ValidationError) as exc:
            apply_errors(form, exc, {**form.error_map(), "created_by": "owner"})
    context = {
        "form": form,
        "question": question,
        "image_form": QuestionImageForm() if question else None,
        "versions": selectors.question_version_counts(question) if question else None,
    }
    return render(request, "quizzes/question_form.html", context)


@staff_required
def question_create(request):
    return _question_form_page(request, question=None)


@staff_required
def question_edit(request, pk):
    return _question_form_page(request, question=_question_or_404(request, pk))


@staff_required
@require_POST
def question_delete(request, pk):
    question = _question_or_404(request, pk)
    try:
        services.question_delete(question=question, by=request.user, request=request)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "Question deleted.")
    return redirect("quizzes:question_list")


REPORT_PLAIN_ROWS = 300  # questions imported as they were, listed on the page (every other outcome is listed)


def _report_rows(result: dict | None) -> list[dict]:
    """The report's rows for the page: every question that changed or was skipped, and the first
    REPORT_PLAIN_ROWS imported unchanged (a 5,000-question file would otherwise be a 5,000-row page)."""
    rows = (result or {}).get("questions") or []
    badge = {"imported": "badge-ok", "imported_with_changes": "badge-warn", "skipped": "badge-danger"}
    shown, plain = [], 0
    for row in rows:
        if row["status"] == "imported":
            plain += 1
            if plain > REPORT_PLAIN_ROWS:
                continue
        shown.append({**row, "badge": badge.get(row["status"], "")})
    return shown


@staff_required
def question_import(request):
    form = QuestionImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.question_bulk_import(
                by=request.user,
                upload=form.cleaned_data["file"],
                owner_id=form.owner_id(),
                dry_run=form.cleaned_data["dry_run"],
                request=request,
                fmt=form.cleaned_data.get("format") or None,
                import_valid=form.cleaned_data["import_valid"],
            )
        except DomainError as exc:  # a file that cannot be read, or lacks a required column
            form.add_error("file", str(exc))
        else:
            if result.get("queued"):
                return redirect("quizzes:question_import_job", pk=result["job_id"])
            if result.get("refused"):
                form.add_error(None, result["message"])
            elif not result["dry_run"]:
                messages.success(request, result["message"])
                if not result["errors"]:
                    return redirect("quizzes:question_list")
    return render(
        request,
        "quizzes/question_import.html",
        {"form": form, "result": result, "columns": services.IMPORT_COLUMNS, "report_rows": _report_rows(result)},
    )


@staff_required
def question_import_job(request, pk):
    """A large file imported by a worker: its progress (the student import's progress display), then its report."""
    job = get_object_or_404(QuestionImportJob.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "quizzes/question_import_job.html",
        {
            "job": job,
            "result": job.result,
            "report_rows": _report_rows(job.result),
            "progress": services.question_import_job_progress(job),
            "status_url": reverse("question-import-job", kwargs={"job_id": job.pk}),
        },
    )


@staff_required
def question_export(request):
    """The bank page's export: the bank as filtered (or the ticked questions, or a quiz's) in one format, with
    the per-question report first and the file a click away (?download=1)."""
    form = QuestionExportForm(request.GET if "format" in request.GET else None)  # the bank's filters are not it
    if not form.is_valid():
        return render(request, "quizzes/question_export.html", {"form": form, "export": None})
    try:
        questions = selectors.questions_for_export(
            user=request.user, params=request.GET, quiz_id=request.GET.get("quiz")
        )
        export = services.question_export(
            by=request.user, questions=questions, fmt=form.cleaned_data["format"], request=request
        )
    except (DomainError, ValidationError) as exc:
        form.add_error(None, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return render(request, "quizzes/question_export.html", {"form": form, "export": None})
    if request.GET.get("download"):
        response = HttpResponse(export.data, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    query = request.GET.copy()
    query["download"] = "1"
    return render(
        request,
        "quizzes/question_export.html",
        {"form": form, "export": export, "download_query": query.urlencode()},
    )


# --- quizzes -----------------------------------------------------------------------------------------------------


@staff_required
def quiz_list(request):
    filters = QuizFilter(request.GET, queryset=selectors.quiz_list(user=request.user))
    page, query = paginate(request, filters.qs, PAGE_SIZE)
    return render(
        request,
        "quizzes/quiz_list.html",
        {"page": page, "query": query, "statuses": QuizStatus.choices, "current": request.GET},
    )


@staff_required
def quiz_create(request):
    form = QuizForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = services.quiz_create(
                by=request.user,
                data=form.service_data(),
                owner_id=form.owner_id(),
                class_ids=form.class_ids(),
                request=request,
            )
        except (DomainError, ValidationError) as exc:
            apply_errors(form, exc, QUIZ_FIELD_MAP)
        else:
            messages.success(request, f"Quiz created with access code {quiz.access_code}. Now add questions.")
            return redirect("quizzes:builder", pk=quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": None})


@staff_required
def quiz_edit(request, pk):
    quiz = _quiz_or_404(request, pk)
    form = QuizForm(request.POST or None, user=request.user, initial=QuizForm.initial_for(quiz))
    if request.method == "POST" and form.is_valid():
        try:
            services.quiz_update(
                quiz=quiz, by=request.user, data=form.service_data(), class_ids=form.class_ids(), request=request
            )
        except (DomainError, ValidationError) as exc:
            apply_errors(form, exc, QUIZ_FIELD_MAP)
        else:
            messages.success(request, "Quiz settings saved.")
            return redirect("quizzes:detail", pk=quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": quiz})


@staff_required
def quiz_detail(request, pk):
    quiz = _quiz_or_404(request, pk)
    overrides, personal = selectors.quiz_personal_settings(quiz)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "overrides": overrides,
            "personal": personal,
            "override_form": OverrideForm(quiz=quiz),
            "links": selectors.ordered_quiz_questions(quiz),
            "problems": services.publish_problems(quiz) if quiz.status != QuizStatus.PUBLISHED else [],
            "has_attempts": services.quiz_has_attempts(quiz),
        },
    )


def _int_or_none(value):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # rejected by the service with a message


@staff_required
def quiz_builder(request, pk):
    """Current questions (reorder, marks override, remove) and the bank to add from, with the bank's filters.
    Works as plain forms; quizzes_builder.js only adds up/down buttons that renumber the positions."""
    quiz = _quiz_or_404(request, pk)
    links = selectors.ordered_quiz_questions(quiz)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "slot_add":  # issue 16: a random slot
                services.quiz_slot_add(
                    quiz=quiz,
                    by=request.user,
                    data={
                        "count": _int_or_none(request.POST.get("slot_count")),
                        "marks": _int_or_none(request.POST.get("slot_marks")),
                        **{k: request.POST.get(f"slot_{k}", "") for k in ("topic", "tag", "difficulty", "type")},
                    },
                    request=request,
                )
                messages.success(request, "Random slot added.")
            elif request.POST.get("action") == "slot_remove":
                services.quiz_slot_remove(
                    quiz=quiz, slot_id=request.POST.get("slot_id"), by=request.user, request=request
                )
                messages.success(request, "Random slot removed.")
            elif request.POST.get("action") == "add":
                added = services.quiz_add_questions(
                    quiz=quiz, by=request.user, question_ids=request.POST.getlist("add"), request=request
                )
                messages.success(request, f"{added} question(s) added.")
            else:
                items = []
                for index, link in enumerate(links):
                    qid = str(link.question_id)
                    if request.POST.get(f"remove_{qid}"):
                        continue
                    position = _int_or_none(request.POST.get(f"position_{qid}"))
                    items.append(
                        (
                            position if position is not None else index + 1,
                            index,
                            {"id": qid, "marks_override": _int_or_none(request.POST.get(f"marks_{qid}"))},
                        )
                    )
                items.sort(key=lambda t: (t[0], t[1]))
                services.quiz_update(
                    quiz=quiz, by=request.user, data={}, questions=[i[2] for i in items], request=request
                )
                messages.success(request, "Questions saved.")
        except (DomainError, ValidationError) as exc:
            show_error(request, exc)
        return redirect(f"{reverse('quizzes:builder', args=[quiz.pk])}?{request.GET.urlencode()}")

    in_quiz = {link.question_id for link in links}
    bank_filters = QuestionFilter(request.GET, queryset=selectors.question_list(user=request.user))
    bank_qs = bank_filters.qs.exclude(pk__in=in_quiz)
    # The quiz draws on its owner's bank (an admin editing it sees the same bank as the teacher).
    bank_qs = bank_qs.filter(created_by_id=quiz.created_by_id)
    page, query = paginate(request, bank_qs, PAGE_SIZE)
    return render(
        request,
        "quizzes/quiz_builder.html",
        {
            "quiz": quiz,
            "links": links,
            "page": page,
            "query": query,
            "filter_form": BankFilterForm(request.GET),
            "topics": selectors.question_topics(user=request.user),
            "tags": selectors.question_tags(user=request.user),
            "frozen": services.quiz_has_attempts(quiz),
            **_slot_context(request, quiz),
        },
    )


def _slot_context(request, quiz) -> dict:
    """Issue 16: the builder's random slots, their pools, the number of versions and, on ?draw, one draw."""
    pools = selectors.slot_pools(quiz)
    preview, preview_error = None, None
    if request.GET.get("draw") and pools:
        try:
            preview = selectors.draw_slots(quiz)
        except selectors.SlotPoolTooSmall as exc:
            preview_error = f"{exc.slot.label}: the bank holds too few matching questions to draw."
    return {
        "pools": pools,
        "versions": selectors.distinct_versions(pools),
        "preview": preview,
        "preview_error": preview_error,
        "difficulties": Difficulty.choices,
        "question_types": QuestionType.choices,
    }


@staff_required
def quiz_preview(request, pk):
    """The quiz as a student sees it: the same question texts and options, no answer key anywhere."""
    quiz = _quiz_or_404(request, pk)
    return render(request, "quizzes/quiz_preview.html", {"quiz": quiz, "links": selectors.ordered_quiz_questions(quiz)})


@staff_required
def quiz_code(request, pk):
    quiz = _quiz_or_404(request, pk)
    return render(request, "quizzes/quiz_code.html", {"quiz": quiz})


def _status_action(request, pk, service, done: str):
    quiz = _quiz_or_404(request, pk)
    try:
        service(quiz=quiz, by=request.user, request=request)
    except (DomainError, ValidationError) as exc:
        show_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("quizzes:detail", pk=quiz.pk)


@staff_required
@require_POST
def quiz_publish(request, pk):
    return _status_action(request, pk, services.quiz_publish, "Quiz published; its students have been notified.")


@staff_required
@require_POST
def quiz_archive(request, pk):
    return _status_action(request, pk, services.quiz_archive, "Quiz archived; no new attempts can start.")


@staff_required
@require_POST
def quiz_unpublish(request, pk):
    return _status_action(request, pk, services.quiz_unpublish, "Quiz is a draft again.")


@staff_required
@require_POST
def quiz_delete(request, pk):
    quiz = _quiz_or_404(request, pk)
    try:
        services.quiz_delete(quiz=quiz, by=request.user, request=request)
    except DomainError as exc:
        show_error(request, exc)
        return redirect("quizzes:detail", pk=quiz.pk)
    messages.success(request, "Quiz deleted.")
    return redirect("quizzes:list")


# --- issue 17: overrides ----------------------------------------------------------------------------------------
@staff_required
def quiz_override_add(request, pk):
    """Set the quiz's dates, time limit, attempts or access code for one student or class (replacing theirs)."""
    quiz = _quiz_or_404(request, pk)
    form = OverrideForm(request.POST or None, quiz=quiz)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {f: data.get(f) for f in services.OVERRIDE_FIELDS}
        try:
            services.override_set(
                quiz=quiz,
                by=request.user,
                reason=data.get("reason") or "",
                request=request,
                **form.target_kwargs(),
                **values,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Override saved.")
            return redirect(reverse("quizzes:detail", args=[quiz.pk]) + "#overrides")
    return render(request, "quizzes/override_form.html", {"quiz": quiz, "form": form})

# --- issue 15: question images -----------------------------------------------------------------------------------


@login_required
def question_image(request, pk):
    """The image's bytes, for those QuestionImage.objects.visible_to allows (others: 404); the browser may keep
    it (private: never a shared cache), as the stored file never changes."""
    image = get_object_or_404(QuestionImage.objects.visible_to(request.user), pk=pk)
    response = FileResponse(image.image.open("rb"), content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=86400, immutable"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
@require_POST
def quiz_override_delete(request, pk, override_id):
    quiz = _quiz_or_404(request, pk)
    override = get_object_or_404(QuizOverride.objects.manageable_by(request.user), pk=override_id, quiz=quiz)
    try:
        services.override_delete(override=override, by=request.user, request=request)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "Override removed.")
    return redirect(reverse("quizzes:detail", args=[quiz.pk]) + "#overrides")


@staff_required
@require_POST
def question_image_upload(request, pk):
    question = _question_or_404(request, pk)
    form = QuestionImageForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        try:
            services.question_image_add(
                question=question,
                by=request.user,
                upload=form.cleaned_data["file"],
                alt_text=form.cleaned_data["alt_text"],
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "Image added.")
    return redirect("quizzes:question_edit", pk=question.pk)


@staff_required
@require_POST
def question_image_remove(request, pk, image_pk):
    question = _question_or_404(request, pk)
    image = get_object_or_404(question.images.all(), pk=image_pk)
    services.question_image_delete(image=image, by=request.user, request=request)
    messages.success(request, "Image removed.")
    return redirect("quizzes:question_edit", pk=question.pk)
