"""Reads of the quizzes app. Every read starts from a scoped queryset of the models' managers
(`Quiz.objects.visible_to(user)`, `.manageable_by(user)`, `Question.objects.visible_to(user)`), so the API and the
pages show the same things to the same people; these functions only add what a page or an endpoint displays."""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import comb, prod
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import Student, active_user
from classrooms.models import SchoolClass
from quizzes.effective import EffectiveSettings, effective_settings
from quizzes.filters import QuestionFilter
from quizzes.models import (
    Question,
    QuestionVersion,
    Quiz,
    QuizOverride,
    QuizQuestion,
    QuizSlot,
    QuizStatus,
    normalize_access_code,
    normalize_tags,
)


def _total_marks_subquery():
    per_quiz = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(total=Sum(Coalesce("marks_override", "question__marks")))
        .values("total")
    )
    # Issue 16: each random slot adds `count` questions worth `marks` each to every attempt.
    per_slots = (
        QuizSlot.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(total=Sum(F("count") * F("marks")))
        .values("total")
    )
    return Coalesce(Subquery(per_quiz, output_field=IntegerField()), Value(0)) + Coalesce(
        Subquery(per_slots, output_field=IntegerField()), Value(0)
    )


def _question_count_subquery():
    per_quiz = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk")).order_by().values("quiz").annotate(n=Count("pk")).values("n")
    )
    per_slots = QuizSlot.objects.filter(quiz=OuterRef("pk")).order_by().values("quiz").annotate(n=Sum("count"))
    return Coalesce(Subquery(per_quiz, output_field=IntegerField()), Value(0)) + Coalesce(
        Subquery(per_slots.values("n"), output_field=IntegerField()), Value(0)
    )


def quiz_question_count(quiz: Quiz) -> int:
    """How many questions every attempt of the quiz holds (fixed + each random slot's count), in one query."""
    return Quiz.objects.filter(pk=quiz.pk).values_list(_question_count_subquery(), flat=True).first() or 0


def _with_summary(quizzes: QuerySet[Quiz]) -> QuerySet[Quiz]:
    """`question_count` and `total_marks` annotated, owner and classes loaded: a constant number of queries however
    many quizzes there are."""
    return (
        quizzes.select_related("created_by__user")
        .annotate(question_count=_question_count_subquery(), total_marks=_total_marks_subquery())
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.order_by("name", "section")))
        .order_by("-created_at")
    )


def _with_questions(quizzes: QuerySet[Quiz]) -> QuerySet[Quiz]:
    """Each quiz's ordered questions (and each question's row) in one more query."""
    return quizzes.prefetch_related(
        Prefetch(
            "quiz_questions",
            queryset=QuizQuestion.objects.select_related("question").order_by("order_index"),
            to_attr="ordered_links",
        )
    )


def quiz_list(*, user) -> QuerySet[Quiz]:
    """Quizzes the user may see, with their summary. Filtering: quizzes.filters.QuizFilter."""
    return _with_summary(Quiz.objects.visible_to(user))


def quiz_detail_queryset(*, user) -> QuerySet[Quiz]:
    """For one quiz the user may see, with its ordered questions."""
    return _with_questions(quiz_list(user=user))


def quiz_manage_queryset(*, user) -> QuerySet[Quiz]:
    """For one quiz the user may edit, publish, preview or delete, with its summary and ordered questions."""
    return _with_questions(_with_summary(Quiz.objects.manageable_by(user)))


def quiz_get_by_access_code(*, user, code: str) -> Quiz | None:
    """THE access-code lookup, for the API and the student's page alike: a published quiz assigned to the student's
    class, by its code typed however the student typed it (`abcd-2345`, ` ABCD 2345 `). Issue 17: the code is the
    student's effective one (quizzes.effective): an override's code replaces the quiz's for that student or class."""
    user = active_user(user)
    code = normalize_access_code(code)
    if user is None or not user.is_student or not code:
        return None
    overridden = QuizOverride.objects.filter(quiz=OuterRef("pk"), access_code=code).filter(
        Q(student_id=user.pk) | Q(school_class__students=user.pk)
    )
    candidates = (
        quiz_list(user=user)
        .assigned_to(user)
        .filter(status=QuizStatus.PUBLISHED)
        .filter(Q(access_code=code) | Exists(overridden))
    )
    student = Student.objects.filter(pk=user.pk).first()
    for quiz in candidates[:5]:
        if student is not None and effective_settings(quiz=quiz, student=student).access_code == code:
            return quiz
    return None


def quiz_class_choices(*, user) -> QuerySet[SchoolClass]:
    """The classes `user` may assign a quiz to (the page's choices and the service's check): any class for an
    admin, the classes they teach for a teacher."""
    return SchoolClass.objects.visible_to(user).order_by("name", "section", "academic_year")


def question_list(*, user) -> QuerySet[Question]:
    """The question bank the user may see. Filtering: quizzes.filters.QuestionFilter."""
    return (
        Question.objects.visible_to(user)
        .select_related("created_by__user")
        .prefetch_related("images")  # issue 15: one query for the page's images
        .order_by("-created_at")
    )


def question_topics(*, user) -> list[str]:
    return list(
        Question.objects.visible_to(user).exclude(topic="").order_by("topic").values_list("topic", flat=True).distinct()
    )


def question_tags(*, user) -> list[str]:
    """Issue 16: every tag in the bank `user` sees, for the filters' suggestions."""
    rows = (
        Question.objects.visible_to(user)
        .order_by()
        .annotate(tag=Func(F("tags"), function="unnest"))
        .values_list("tag", flat=True)
        .distinct()
    )
    return sorted(set(rows))


def slot_pool(slot: QuizSlot) -> QuerySet[Question]:
    """Issue 16, THE pool of a random slot (publishing, the builder's sizes and the draw at start all use it): the
    quiz owner's bank questions matching every criterion the slot sets, less the quiz's fixed questions (a student
    never gets one question twice)."""
    pool = Question.objects.filter(created_by_id=slot.quiz.created_by_id).exclude(quiz_links__quiz_id=slot.quiz_id)
    if slot.topic:
        pool = pool.filter(topic__iexact=slot.topic)
    if slot.tag:
        pool = pool.filter(tags__contains=normalize_tags([slot.tag]))
    if slot.difficulty:
        pool = pool.filter(difficulty=slot.difficulty)
    if slot.type:
        pool = pool.filter(type=slot.type)
    return pool.order_by()


@dataclass(frozen=True)
class SlotPool:
    slot: QuizSlot
    size: int

    @property
    def enough(self) -> bool:
        return self.size >= self.slot.count


def slot_pools(quiz: Quiz) -> list[SlotPool]:
    """Each random slot of the quiz with its pool's size (one count per slot)."""
    return [SlotPool(slot, slot_pool(slot).count()) for slot in quiz.slots.select_related("quiz")]


def distinct_versions(pools: list[SlotPool]) -> int:
    """How many different sets of questions the quiz can give (order aside): the product of "pool choose count"
    over the slots. Slots whose pools overlap make it an upper bound."""
    return prod(comb(p.size, p.slot.count) for p in pools) if pools else 1


class SlotPoolTooSmall(Exception):
    def __init__(self, slot: QuizSlot):
        super().__init__(slot.label)
        self.slot = slot


def draw_slots(quiz: Quiz, *, slots: list[QuizSlot] | None = None, seen=(), rng=None) -> list[QuizQuestion]:
    """Issue 16, THE draw of a quiz's random slots (an attempt's start, and the builder's "preview one draw"): each
    slot draws `count` questions of its pool that no other slot drew, preferring those not in `seen` (the student's
    earlier attempts); the scarcest pool draws first. Returns unsaved QuizQuestion rows in the slots' order, worth
    the slot's marks (marks_override) and carrying the slot (`.slot`). One query per slot and one for the drawn
    questions, none per drawn question. Raises SlotPoolTooSmall when a pool cannot fill its slot."""
    rng = rng or random.SystemRandom()
    slots = list(quiz.slots.all()) if slots is None else slots
    for slot in slots:
        slot.quiz = quiz  # slot_pool reads the owner: no query per slot for it
    pools = {slot.pk: list(slot_pool(slot).values_list("pk", flat=True)) for slot in slots}
    taken: set = set()
    chosen: dict = {}
    for slot in sorted(slots, key=lambda s: len(pools[s.pk]) - s.count):
        pool = [pk for pk in pools[slot.pk] if pk not in taken]
        if len(pool) < slot.count:
            raise SlotPoolTooSmall(slot)
        fresh = [pk for pk in pool if pk not in seen]
        picks = rng.sample(fresh, min(slot.count, len(fresh)))
        if len(picks) < slot.count:
            picks += rng.sample([pk for pk in pool if pk in seen], slot.count - len(picks))
        taken.update(picks)
        chosen[slot.pk] = picks
    questions = Question.objects.in_bulk([pk for picks in chosen.values() for pk in picks]) if taken else {}
    drawn = []
    for slot in slots:
        for pk in chosen[slot.pk]:
            link = QuizQuestion(quiz=quiz, question=questions[pk], order_index=0, marks_override=slot.marks)
            link.slot = slot
            drawn.append(link)
    return drawn


def ordered_quiz_questions(quiz: Quiz) -> list[QuizQuestion]:
    links = getattr(quiz, "ordered_links", None)
    if links is None:
        links = list(quiz.quiz_questions.select_related("question").order_by("order_index"))
    return links


EXPORT_MAX_QUESTIONS = 5000


def questions_for_export(*, user, params, quiz_id: str | None = None) -> list[Question]:
    """What an export writes: a quiz's questions in its order (the quiz loaded through manageable_by, so another
    teacher's quiz is a 404), else the bank as the list filters it (QuestionFilter), narrowed to `ids` if given."""
    if quiz_id:
        try:
            quiz = Quiz.objects.manageable_by(user).get(pk=UUID(str(quiz_id)))
        except (ValueError, Quiz.DoesNotExist):
            raise Http404("No such quiz.") from None
        links = (
            quiz.quiz_questions.select_related("question").prefetch_related("question__images").order_by("order_index")
        )
        return [link.question for link in links[:EXPORT_MAX_QUESTIONS]]
    filters = QuestionFilter(params, queryset=question_list(user=user))
    if not filters.is_valid():  # as the list endpoint: a filter that cannot apply is an error, not "everything"
        raise ValidationError({name: " ".join(errors) for name, errors in filters.errors.items()})
    queryset = filters.qs
    ids = [part.strip() for part in (params.get("ids") or "").split(",") if part.strip()]
    if ids:
        try:
            queryset = queryset.filter(pk__in=[UUID(i) for i in ids])
        except ValueError:
            raise ValidationError({"ids": "ids must be question ids separated by commas."}) from None
    return list(queryset.order_by("topic", "created_at")[:EXPORT_MAX_QUESTIONS])

@dataclass(frozen=True)
class PersonalSettingsRow:
    """Issue 17: one student whose settings on a quiz differ from the quiz's, as the quiz page shows them."""

    student: Student
    settings: EffectiveSettings


def quiz_personal_settings(quiz: Quiz) -> tuple[list[QuizOverride], list[PersonalSettingsRow]]:
    """The quiz's overrides, and every student of its classes whose effective settings differ from the quiz's (an
    override or an accommodation), each with those settings: three queries however many students."""
    overrides = list(QuizOverride.objects.filter(quiz=quiz).select_related("student__user", "school_class"))
    by_student = {o.student_id: o for o in overrides if o.student_id}
    by_class = {o.school_class_id: o for o in overrides if o.school_class_id}
    students = (
        Student.objects.filter(school_class__quiz_links__quiz=quiz)
        .filter(Q(accommodation__isnull=False) | Q(pk__in=list(by_student)) | Q(school_class_id__in=list(by_class)))
        .select_related("user", "accommodation", "school_class")
        .order_by("user__name")
        .distinct()
    )
    rows = []
    for student in students:
        acc = getattr(student, "accommodation", None)  # a missing reverse one-to-one raises an AttributeError
        eff = effective_settings(
            quiz=quiz,
            student=student,
            accommodation=acc,
            overrides=(by_student.get(student.pk), by_class.get(student.school_class_id)),
        )
        rows.append(PersonalSettingsRow(student=student, settings=eff))
    return overrides, rows

# --- issue 15: the question as the student saw it -------------------------------------------------------------


def questions_as_seen(questions, at) -> dict:
    """{question_id: question} with the wording each had at `at` (an attempt's submission: the last wording its
    student could see; None, an attempt in progress, gets the current one): the question itself when it has not
    been reworded since, else an unsaved copy carrying that version's text, options and feedback (the key stays
    the question's: key fixes reach earlier attempts through the regrade path). One query."""
    questions = list(questions)
    out = {q.pk: q for q in questions}
    if at is None or not questions:
        return out
    versions = QuestionVersion.objects.filter(question_id__in=list(out), replaced_at__gt=at).order_by(
        "question_id", "replaced_at", "number"
    )
    seen = set()
    for version in versions:
        if version.question_id in seen:
            continue  # the earliest version replaced after `at` is the one the attempt saw
        seen.add(version.question_id)
        current = out[version.question_id]
        copy = Question(**{f.attname: getattr(current, f.attname) for f in Question._meta.concrete_fields})
        copy.text, copy.options, copy.general_feedback = version.text, version.options, version.general_feedback
        copy.details = dict(current.details or {})
        if version.option_feedback:
            copy.details["feedback"] = list(version.option_feedback)
        else:
            copy.details.pop("feedback", None)
        copy.version_number = version.number
        copy._prefetched_objects_cache = getattr(current, "_prefetched_objects_cache", {})
        out[version.question_id] = copy
    return out


def question_version_counts(question) -> dict:
    """For the bank: which version the question is, and how many attempts were started on an older wording."""
    latest = question.versions.order_by("-number").first()
    if latest is None:
        return {"version": 1, "older_attempts": 0}
    attempts = Quiz._meta.get_field("attempts").related_model
    older = attempts.objects.filter(
        quiz__quiz_questions__question=question, submitted_at__lt=latest.replaced_at
    ).count()
    return {"version": latest.number + 1, "older_attempts": older}
