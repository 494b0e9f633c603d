"""Pages of the quizzes app: the bank, the import, the builder, preview, publishing, and who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Notification
from quizzes.models import Question, QuestionType, Quiz, QuizStatus
from quizzes.tests.conftest import SECRET_ACCEPTED, SECRET_OPTION_KEY, SECRET_RUBRIC
from tests.factories import QuestionFactory, QuizAttemptFactory


@pytest.fixture
def web(client):
    def login(persona):
        client.force_login(getattr(persona, "user", persona))
        return client

    return login


def quiz_pages(quiz):
    return [reverse(f"quizzes:{name}", args=[quiz.pk]) for name in ("detail", "edit", "builder", "preview", "code")]


# --- who may see what --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, draft_quiz):
    for url in [reverse("quizzes:list"), reverse("quizzes:question_list"), *quiz_pages(draft_quiz)]:
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url


@pytest.mark.django_db
def test_students_get_403_on_every_page(web, student, draft_quiz, mcq):
    client = web(student)
    urls = [
        reverse("quizzes:list"),
        reverse("quizzes:question_list"),
        reverse("quizzes:question_create"),
        reverse("quizzes:question_import"),
        reverse("quizzes:create"),
        *quiz_pages(draft_quiz),
        reverse("quizzes:question_edit", args=[mcq.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("quizzes:publish", args=[draft_quiz.pk])).status_code == 403
    draft_quiz.refresh_from_db()
    assert draft_quiz.status == QuizStatus.DRAFT


@pytest.mark.django_db
def test_other_teacher_gets_404_and_changes_nothing(web, other_teacher, draft_quiz, mcq):
    client = web(other_teacher)
    for url in [*quiz_pages(draft_quiz), reverse("quizzes:question_edit", args=[mcq.pk])]:
        assert client.get(url).status_code == 404, url
    for name in ("publish", "archive", "delete"):
        assert client.post(reverse(f"quizzes:{name}", args=[draft_quiz.pk])).status_code == 404
    assert client.post(reverse("quizzes:question_delete", args=[mcq.pk])).status_code == 404
    assert (
        client.post(
            reverse("quizzes:builder", args=[draft_quiz.pk]), {"action": "add", "add": [str(mcq.pk)]}
        ).status_code
        == 404
    )
    draft_quiz.refresh_from_db()
    assert draft_quiz.status == QuizStatus.DRAFT and Question.objects.filter(pk=mcq.pk).exists()
    assert "Algebra check" not in client.get(reverse("quizzes:list")).content.decode()
    assert "What is 2+2?" not in client.get(reverse("quizzes:question_list")).content.decode()


# --- question bank -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bank_lists_filters_and_paginates(web, teacher, mcq, essay_q):
    QuestionFactory.create_batch(25, created_by=teacher, topic="Bulk")
    client = web(teacher)
    page = client.get(reverse("quizzes:question_list")).content.decode()
    assert "Page 1 of 2" in page
    filtered = client.get(reverse("quizzes:question_list"), {"type": "descriptive"}).content.decode()
    assert "Explain photosynthesis." in filtered and "What is 2+2?" not in filtered
    searched = client.get(reverse("quizzes:question_list"), {"search": "2+2"}).content.decode()
    assert "What is 2+2?" in searched and "Explain photosynthesis." not in searched


@pytest.mark.django_db
def test_create_mcq_through_the_form(web, teacher):
    r = web(teacher).post(
        reverse("quizzes:question_create"),
        {
            "type": "mcq",
            "text": "Largest planet?",
            "topic": "Space",
            "difficulty": "easy",
            "marks": 2,
            "options": "Mars\nJupiter\n\nVenus",
            "correct_option": 2,
            # A browser without JavaScript sends the other types' boxes too; they are ignored for an mcq.
            "accepted_answers": "ignored",
            "marking_rubric": "ignored",
        },
    )
    assert r.status_code == 302
    q = Question.objects.get()
    assert (q.options, q.correct_answer, q.created_by, q.accepted_answers) == (
        ["Mars", "Jupiter", "Venus"],
        1,
        teacher,
        [],
    )


@pytest.mark.django_db
def test_form_errors_appear_next_to_the_field(web, teacher):
    r = web(teacher).post(
        reverse("quizzes:question_create"),
        {
            "type": "mcq",
            "text": "Largest planet?",
            "difficulty": "easy",
            "marks": 2,
            "options": "Mars\nJupiter",
            "correct_option": 5,
        },
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert "correct_option" in form.errors and not Question.objects.exists()
    r = web(teacher).post(
        reverse("quizzes:question_create"),
        {"type": "short_answer", "text": "Symbol of gold?", "difficulty": "easy", "marks": 1},
    )
    assert "accepted_answers" in r.context["form"].errors


@pytest.mark.django_db
def test_edit_true_false_and_short_answer(web, teacher, mcq):
    client = web(teacher)
    r = client.get(reverse("quizzes:question_edit", args=[mcq.pk]))
    assert "3\n4\n5" in r.content.decode()
    r = client.post(
        reverse("quizzes:question_edit", args=[mcq.pk]),
        {
            "type": "true_false",
            "text": "2+2 is 4.",
            "difficulty": "easy",
            "marks": 1,
            "true_false_answer": "0",
            "options": "3\n4\n5",
        },
    )
    assert r.status_code == 302
    mcq.refresh_from_db()
    assert (mcq.type, mcq.options, mcq.correct_answer) == (QuestionType.TRUE_FALSE, ["True", "False"], 0)
    client.post(
        reverse("quizzes:question_edit", args=[mcq.pk]),
        {
            "type": "short_answer",
            "text": "2+2?",
            "difficulty": "easy",
            "marks": 1,
            "accepted_answers": "4\nfour",
            "case_sensitive": "on",
        },
    )
    mcq.refresh_from_db()
    assert (mcq.type, mcq.accepted_answers, mcq.case_sensitive, mcq.options) == (
        QuestionType.SHORT_ANSWER,
        ["4", "four"],
        True,
        None,
    )


@pytest.mark.django_db
def test_delete_question_in_use_shows_the_reason(web, teacher, student, published_quiz, mcq):
    QuizAttemptFactory(quiz=published_quiz, student=student)
    r = web(teacher).post(reverse("quizzes:question_delete", args=[mcq.pk]), follow=True)
    assert "cannot be deleted" in r.content.decode()
    assert Question.objects.filter(pk=mcq.pk).exists()


@pytest.mark.django_db
def test_import_page_dry_run_then_import(web, teacher):
    body = (
        "text,type,options,correct_answer,accepted_answers\n"
        "Pick B,mcq,A|B|C,1,\nBad,mcq,A,0,\nGold?,short_answer,,,Au\n"
    )
    client = web(teacher)
    r = client.post(
        reverse("quizzes:question_import"), {"file": SimpleUploadedFile("q.csv", body.encode()), "dry_run": "on"}
    )
    page = r.content.decode()
    assert "2 question(s) would be imported" in page and "row-error" in page and not Question.objects.exists()
    r = client.post(reverse("quizzes:question_import"), {"file": SimpleUploadedFile("q.csv", body.encode())})
    assert Question.objects.count() == 2 and "2 question(s) imported" in r.content.decode()
    r = client.post(reverse("quizzes:question_import"), {"file": SimpleUploadedFile("q.csv", b"foo,bar\n1,2\n")})
    assert "required column" in r.content.decode()


# --- quizzes -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_quiz_then_build_it(web, teacher, school_class, other_class, mcq, short_q):
    client = web(teacher)
    form_page = client.get(reverse("quizzes:create")).content.decode()
    assert "Class 10A" in form_page and "Class 11B" not in form_page  # only the teacher's own classes
    r = client.post(
        reverse("quizzes:create"),
        {
            "title": "Weekly test",
            "subject": "Maths",
            "time_limit_minutes": 20,
            "passing_percentage": 50,
            "max_attempts": 1,
            "violation_threshold": 3,
            "classes": [str(school_class.pk)],
            "allow_review": "on",
        },
    )
    quiz = Quiz.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("quizzes:builder", args=[quiz.pk])
    assert list(quiz.classes.all()) == [school_class]
    builder = client.get(r["Location"]).content.decode()
    assert "What is 2+2?" in builder and "Capital of France?" in builder
    client.post(r["Location"], {"action": "add", "add": [str(mcq.pk), str(short_q.pk)]})
    assert list(quiz.quiz_questions.values_list("question_id", flat=True)) == [mcq.pk, short_q.pk]
    # Reorder (short answer first), override the mcq's marks.
    client.post(
        r["Location"],
        {"action": "save", f"position_{mcq.pk}": "2", f"position_{short_q.pk}": "1", f"marks_{mcq.pk}": "6"},
    )
    links = list(quiz.quiz_questions.order_by("order_index"))
    assert [link.question_id for link in links] == [short_q.pk, mcq.pk] and links[1].marks_override == 6
    client.post(
        r["Location"],
        {"action": "save", f"remove_{short_q.pk}": "on", f"position_{mcq.pk}": "1", f"marks_{mcq.pk}": "6"},
    )
    assert list(quiz.quiz_questions.values_list("question_id", "order_index")) == [(mcq.pk, 0)]


@pytest.mark.django_db
def test_builder_is_frozen_after_attempts(web, teacher, student, published_quiz, mcq):
    QuizAttemptFactory(quiz=published_quiz, student=student)
    client = web(teacher)
    page = client.get(reverse("quizzes:builder", args=[published_quiz.pk])).content.decode()
    assert "can no longer change" in page
    r = client.post(
        reverse("quizzes:builder", args=[published_quiz.pk]), {"action": "save", f"remove_{mcq.pk}": "on"}, follow=True
    )
    assert "can no longer change" in r.content.decode()
    assert published_quiz.quiz_questions.count() == 3


@pytest.mark.django_db
def test_publish_and_archive_buttons(web, teacher, student, draft_quiz):
    client = web(teacher)
    page = client.get(reverse("quizzes:detail", args=[draft_quiz.pk])).content.decode()
    assert draft_quiz.access_code in page and 'data-confirm="Publish' in page
    client.post(reverse("quizzes:publish", args=[draft_quiz.pk]))
    draft_quiz.refresh_from_db()
    assert draft_quiz.status == QuizStatus.PUBLISHED and Notification.objects.filter(user=student.user).exists()
    client.post(reverse("quizzes:archive", args=[draft_quiz.pk]))
    draft_quiz.refresh_from_db()
    assert draft_quiz.status == QuizStatus.ARCHIVED


@pytest.mark.django_db
def test_publish_problems_are_listed(web, teacher):
    client = web(teacher)
    client.post(
        reverse("quizzes:create"),
        {
            "title": "Empty",
            "subject": "S",
            "time_limit_minutes": 5,
            "passing_percentage": 40,
            "max_attempts": 1,
            "violation_threshold": 3,
        },
    )
    quiz = Quiz.objects.get()
    page = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
    assert "Add at least one question" in page and "Assign the quiz to at least one class" in page
    r = client.post(reverse("quizzes:publish", args=[quiz.pk]), follow=True)
    assert "Add at least one question" in r.content.decode()
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.DRAFT


@pytest.mark.django_db
def test_preview_shows_questions_but_no_answer_key(web, teacher, draft_quiz):
    page = web(teacher).get(reverse("quizzes:preview", args=[draft_quiz.pk])).content.decode()
    assert "What is 2+2?" in page and "Capital of France?" in page and "Explain photosynthesis." in page
    for secret in (SECRET_OPTION_KEY, SECRET_ACCEPTED, SECRET_RUBRIC, "Paris", "checked"):
        assert secret not in page


@pytest.mark.django_db
def test_projector_page_shows_the_code_large(web, teacher, draft_quiz):
    page = web(teacher).get(reverse("quizzes:code", args=[draft_quiz.pk])).content.decode()
    code = draft_quiz.access_code
    assert f"{code[:4]}<span" in page and code[4:] in page and "projector" in page


@pytest.mark.django_db
def test_quiz_list_page_filters(web, admin, teacher, draft_quiz, other_teacher):
    other = Quiz.objects.create(
        title="Physics final", subject="Physics", time_limit_minutes=5, created_by=other_teacher
    )
    page = web(admin).get(reverse("quizzes:list"), {"status": "draft", "search": "physics"}).content.decode()
    assert other.title in page and "Algebra check" not in page


@pytest.mark.django_db
def test_admin_creates_for_a_teacher_and_edits_any_question(web, admin, teacher, mcq):
    client = web(admin)
    r = client.post(
        reverse("quizzes:question_create"),
        {"type": "descriptive", "text": "Explain tides.", "difficulty": "hard", "marks": 4},
    )
    assert r.status_code == 200 and "owner" in r.context["form"].errors
    r = client.post(
        reverse("quizzes:question_create"),
        {"type": "descriptive", "text": "Explain tides.", "difficulty": "hard", "marks": 4, "owner": str(teacher.pk)},
    )
    assert r.status_code == 302 and Question.objects.get(text="Explain tides.").created_by == teacher
    r = client.post(
        reverse("quizzes:question_edit", args=[mcq.pk]),
        {
            "type": "mcq",
            "text": "What is 2+2?",
            "difficulty": "easy",
            "marks": 5,
            "options": "3\n4\n5",
            "correct_option": 2,
        },
    )
    assert r.status_code == 302
    mcq.refresh_from_db()
    assert mcq.marks == 5 and mcq.created_by == teacher
