"""Issue 16: random slots. The draw happens once per attempt at start, is stored with it (resume, reload, scoring,
regrade and review see the same questions), prefers questions the student has not seen, and a slot whose pool is
too small cannot be published."""

from decimal import Decimal

import pytest
from django.urls import reverse

from attempts import services as attempt_services
from attempts.models import DrawnQuestion, QuizAttempt
from attempts.questions import attempt_questions
from attempts.selectors import ordered_quiz_questions
from quizzes import services as quiz_services
from quizzes.models import QuestionType, QuizSlot, QuizStatus
from quizzes.services import QuizError
from tests.builders import CORRECT, WRONG, answer, make_quiz, start_attempt, submit
from tests.factories import QuestionFactory


def bank(teacher, n, **fields):
    fields.setdefault("marks", 7)  # the bank's marks: a drawn question is worth the slot's marks instead
    return [QuestionFactory(created_by=teacher, **fields) for _ in range(n)]


def slot_quiz(teacher, school_class, *, count=2, marks=3, fixed=1, **criteria):
    fixed_questions = [QuestionFactory(created_by=teacher, topic="Fixed", marks=1) for _ in range(fixed)]
    quiz = make_quiz(teacher, school_class, questions=fixed_questions, max_attempts=5, status=QuizStatus.DRAFT)
    quiz_services.quiz_slot_add(quiz=quiz, by=teacher.user, data={"count": count, "marks": marks, **criteria})
    return quiz


def drawn_ids(attempt):
    return [row.question_id for row in DrawnQuestion.objects.filter(attempt=attempt)]


@pytest.mark.django_db
def test_draw_is_stored_once_and_stable_on_resume_and_reload(teacher, school_class, student):
    tagged = bank(teacher, 6, topic="Algebra", tags=["term 2"])
    bank(teacher, 4, topic="Algebra")  # untagged: outside the slot's pool
    quiz = slot_quiz(teacher, school_class, count=3, topic="algebra", tag="Term 2")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)

    attempt = start_attempt(quiz, student)
    drawn = drawn_ids(attempt)
    assert len(drawn) == 3 and set(drawn) <= {q.pk for q in tagged}
    assert len(attempt.question_order) == 4  # the fixed question + three drawn

    again, created = attempt_services.attempt_start(quiz=quiz, student=student, by=student.user)
    assert not created and again.pk == attempt.pk and drawn_ids(again) == drawn
    # What the exam shows (API and page read the same selector) after a reload: the same questions, same order.
    reloaded = QuizAttempt.objects.get(pk=attempt.pk)
    shown = [str(qq.question_id) for qq in ordered_quiz_questions(reloaded)]
    assert shown == attempt.question_order
    assert [qq.marks for qq in attempt_questions(reloaded)][1:] == [3, 3, 3]


@pytest.mark.django_db
def test_drawn_questions_are_scored_at_the_slots_marks_and_regrade_keeps_the_draw(
    teacher, school_class, student, django_capture_on_commit_callbacks
):
    bank(teacher, 5, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=2, marks=3, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    attempt = start_attempt(quiz, student)
    links = attempt_questions(attempt)
    drawn = [qq.question for qq in links if qq.question.topic == "Algebra"]
    fixed = [qq.question for qq in links if qq.question.topic == "Fixed"]
    answer(attempt, {drawn[0]: CORRECT, drawn[1]: WRONG, fixed[0]: CORRECT})
    attempt = submit(attempt)
    # 1 (fixed) + 3 (one drawn right, at the slot's 3 marks, not the bank's 7) out of 1 + 2 x 3.
    assert (attempt.score, attempt.total_marks) == (Decimal("4.00"), 7)

    # A key fix regrades through the stored draw: the wrong answer becomes right, still worth 3.
    with django_capture_on_commit_callbacks(execute=True):
        quiz_services.question_update(question=drawn[1], by=teacher.user, data={"correct_answer": WRONG})
    attempt.refresh_from_db()
    assert drawn_ids(attempt) == [q.pk for q in drawn]
    assert (attempt.score, attempt.total_marks) == (Decimal("7.00"), 7)


@pytest.mark.django_db
def test_questions_not_seen_in_earlier_attempts_are_preferred(teacher, school_class, student):
    bank(teacher, 4, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=2, fixed=1, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    first = start_attempt(quiz, student)
    submit(first)
    second = start_attempt(quiz, student)
    assert not set(drawn_ids(first)) & set(drawn_ids(second))  # the pool of 4 allows two fresh ones
    submit(second)
    third = start_attempt(quiz, student)  # every question seen: the draw still fills the slot
    assert len(set(drawn_ids(third))) == 2


@pytest.mark.django_db
def test_two_students_get_different_draws_when_the_pool_allows(teacher, school_class, student):
    from tests.factories import StudentFactory

    bank(teacher, 30, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=5, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    others = [StudentFactory(school_class=school_class) for _ in range(3)]
    draws = {frozenset(drawn_ids(start_attempt(quiz, s))) for s in [student, *others]}
    assert len(draws) > 1  # 4 students drawing 5 of 30: identical draws have a chance below 1e-15


@pytest.mark.django_db
def test_a_slot_never_draws_a_fixed_question_or_one_another_slot_drew(teacher, school_class, student):
    questions = bank(teacher, 4, topic="Algebra")
    quiz = make_quiz(teacher, school_class, questions=questions[:1], status=QuizStatus.DRAFT)
    for _ in range(3):
        quiz_services.quiz_slot_add(quiz=quiz, by=teacher.user, data={"count": 1, "topic": "Algebra"})
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    attempt = start_attempt(quiz, student)
    assert sorted(map(str, attempt.question_order)) == sorted(str(q.pk) for q in questions)


@pytest.mark.django_db
def test_publishing_is_refused_naming_the_slot_whose_pool_is_too_small(teacher, school_class):
    bank(teacher, 2, topic="Algebra", type=QuestionType.MCQ)
    QuestionFactory(created_by=teacher, topic="Geometry")
    quiz = slot_quiz(teacher, school_class, count=1, topic="Algebra")
    quiz_services.quiz_slot_add(quiz=quiz, by=teacher.user, data={"count": 3, "topic": "Algebra"})
    with pytest.raises(QuizError) as refused:
        quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    message = str(refused.value.message if hasattr(refused.value, "message") else refused.value)
    assert "Random slot 2 (3 × topic “Algebra”)" in message and "only 2 matching" in message
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.DRAFT


@pytest.mark.django_db
def test_another_teachers_bank_is_never_drawn(teacher, other_teacher, school_class, student):
    bank(other_teacher, 5, topic="Algebra")
    mine = bank(teacher, 2, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=2, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    assert set(drawn_ids(start_attempt(quiz, student))) == {q.pk for q in mine}


@pytest.mark.django_db
def test_slot_input_is_checked_and_frozen_once_attempted(teacher, school_class, student):
    bank(teacher, 3, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=1, topic="Algebra")
    from django.core.exceptions import ValidationError

    for bad in ({"count": 0}, {"count": 101}, {"count": 1, "marks": 0}, {"count": 1, "type": "essay"}):
        with pytest.raises(ValidationError):
            quiz_services.quiz_slot_add(quiz=quiz, by=teacher.user, data=bad)
    assert QuizSlot.objects.filter(quiz=quiz).count() == 1
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    start_attempt(quiz, student)
    with pytest.raises(QuizError):
        quiz_services.quiz_slot_add(quiz=quiz, by=teacher.user, data={"count": 1})
    with pytest.raises(QuizError):
        quiz_services.quiz_slot_remove(quiz=quiz, slot_id=quiz.slots.get().pk, by=teacher.user)


@pytest.mark.django_db
def test_a_drawn_question_cannot_be_deleted_from_the_bank(teacher, school_class, student):
    bank(teacher, 1, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=1, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    attempt = start_attempt(quiz, student)
    drawn = DrawnQuestion.objects.get(attempt=attempt).question
    with pytest.raises(QuizError):
        quiz_services.question_delete(question=drawn, by=teacher.user)


@pytest.mark.django_db
def test_start_with_random_slots_runs_a_fixed_number_of_queries(
    teacher, school_class, student, django_assert_max_num_queries
):
    """No query per drawn question: 2 slots drawing 3 and 10 questions cost the same as drawing 1 and 1."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import StudentFactory

    bank(teacher, 15, topic="Algebra")
    bank(teacher, 15, topic="Geometry")
    small = slot_quiz(teacher, school_class, count=1, topic="Algebra")
    quiz_services.quiz_slot_add(quiz=small, by=teacher.user, data={"count": 1, "topic": "Geometry"})
    large = slot_quiz(teacher, school_class, count=3, topic="Algebra")
    quiz_services.quiz_slot_add(quiz=large, by=teacher.user, data={"count": 10, "topic": "Geometry"})
    small, large = (quiz_services.quiz_publish(quiz=quiz, by=teacher.user) for quiz in (small, large))
    counts = []
    for quiz in (small, large):
        someone = StudentFactory(school_class=school_class)
        with CaptureQueriesContext(connection) as ctx:
            attempt_services.attempt_start(quiz=quiz, student=someone, by=someone.user)
        counts.append(len(ctx.captured_queries))
    print(f"\n[start with random slots] {counts[0]} queries drawing 2 questions, {counts[1]} drawing 13")
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        attempt_services.attempt_start(quiz=large, student=student, by=student.user)


@pytest.mark.django_db
def test_the_exam_page_shows_the_drawn_questions_and_outsiders_see_nothing(
    client, teacher, school_class, student, outsider_student
):
    questions = bank(teacher, 3, topic="Algebra")
    quiz = slot_quiz(teacher, school_class, count=3, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    attempt = start_attempt(quiz, student)
    client.force_login(student.user)
    page = client.get(reverse("attempts:take", args=[attempt.pk])).content.decode()
    assert all(q.text in page for q in questions)
    client.force_login(outsider_student.user)
    assert client.get(reverse("attempts:take", args=[attempt.pk])).status_code in (403, 404)


@pytest.mark.django_db
def test_a_student_may_load_images_of_their_own_draw_only(teacher, school_class, student):
    from quizzes.models import QuestionImage
    from tests.factories import StudentFactory

    questions = bank(teacher, 4, topic="Algebra")
    images = {
        q.pk: QuestionImage.objects.create(
            question=q, image="x.png", content_type="image/png", alt_text="A graph", width=1, height=1
        )
        for q in questions
    }
    quiz = slot_quiz(teacher, school_class, count=2, topic="Algebra")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    mine = set(drawn_ids(start_attempt(quiz, student)))
    visible = set(QuestionImage.objects.visible_to(student.user).values_list("pk", flat=True))
    assert visible == {images[pk].pk for pk in mine}
    stranger = StudentFactory(school_class=school_class)
    assert not QuestionImage.objects.visible_to(stranger.user).exists()


@pytest.mark.django_db
def test_grading_queue_and_board_count_the_drawn_questions(teacher, school_class, student):
    from grading.selectors import pending_attempts, quiz_monitor_status

    essays = bank(teacher, 2, topic="Essays", type=QuestionType.DESCRIPTIVE, options=None, correct_answer=None)
    quiz = slot_quiz(teacher, school_class, count=1, marks=5, topic="Essays")
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    attempt = start_attempt(quiz, student)
    drawn = next(q for q in essays if q.pk in drawn_ids(attempt))
    assert quiz_monitor_status(quiz).total_questions == 2  # the fixed question + the slot's one
    answer(attempt, {drawn: "Photosynthesis turns light into sugar."})
    submit(attempt)
    row = pending_attempts(teacher.user).get(pk=attempt.pk)
    assert (row.descriptive_questions_count, row.pending_answers, row.pending_marks) == (1, 1, 5)
