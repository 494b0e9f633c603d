"""No answer key reaches a student before review is allowed, through ANY endpoint or page of ANY app.

A student takes two quizzes whose answer keys are distinctive strings: one that never allows review (submitted,
graded by the teacher, then regraded after the teacher fixed the accepted answers, so every notification exists),
and one that allows review and shows answers but is still in progress. The student then walks every GET URL of the
project (from the URL resolver, so new endpoints are covered automatically) with every id they could know or guess,
as JSON, HTML, CSV, XLSX and PDF, and none of it may carry a secret.
"""

import io
import itertools
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quizsite.tests.sweep import api_routes, page_routes
from quizzes.models import QuestionType, QuizStatus
from tests.factories import QuestionFactory, QuizClassFactory, QuizFactory, QuizQuestionFactory

SECRET_KEYS = {"correct_answer", "accepted_answers", "sample_answer", "marking_rubric", "correct_option"}


def _questions(teacher, tag):
    return [
        QuestionFactory(
            created_by=teacher,
            text=f"{tag} pick the right one",
            type=QuestionType.MCQ,
            options=["alpha", "beta", "gamma"],
            correct_answer=2,
            marks=2,
        ),
        QuestionFactory(
            created_by=teacher,
            text=f"{tag} true or false",
            type=QuestionType.TRUE_FALSE,
            options=["True", "False"],
            correct_answer=1,
            marks=1,
        ),
        QuestionFactory(
            created_by=teacher,
            text=f"{tag} name the capital",
            type=QuestionType.SHORT_ANSWER,
            options=None,
            correct_answer=None,
            accepted_answers=[f"ZQX{tag}ACCEPTED"],
            marks=2,
        ),
        QuestionFactory(
            created_by=teacher,
            text=f"{tag} explain",
            type=QuestionType.DESCRIPTIVE,
            options=None,
            correct_answer=None,
            sample_answer=f"ZQX{tag}SAMPLE",
            marking_rubric=f"ZQX{tag}RUBRIC",
            marks=5,
        ),
    ]


def _quiz(teacher, school_class, tag, **settings):
    now = timezone.now()
    quiz = QuizFactory(
        title=f"Quiz {tag}",
        status=QuizStatus.PUBLISHED,
        created_by=teacher,
        start_date=now - timedelta(hours=1),
        end_date=now + timedelta(days=1),
        **settings,
    )
    QuizClassFactory(quiz=quiz, school_class=school_class)
    questions = _questions(teacher, tag)
    for i, q in enumerate(questions):
        QuizQuestionFactory(quiz=quiz, question=q, order_index=i)
    return quiz, questions


def _walk_json(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + "." + str(key), key, item
            yield from _walk_json(item, path + "." + str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_json(item, f"{path}[{i}]")


def _text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8", "replace")


@pytest.fixture
def exam_history(teacher, other_teacher, student, outsider_student, school_class, api_for):
    """The student's history, built through the real APIs of every app."""
    secret_quiz, secret_qs = _quiz(
        teacher, school_class, "NOREVIEW", allow_review=False, show_answers_after_submission=False, max_attempts=2
    )
    open_quiz, _ = _quiz(teacher, school_class, "INPROGRESS", allow_review=True, show_answers_after_submission=True)
    draft_quiz, _ = _quiz(teacher, school_class, "DRAFT")
    draft_quiz.status = QuizStatus.DRAFT
    draft_quiz.save()
    other_quiz, _ = _quiz(other_teacher, outsider_student.school_class, "OTHERCLASS")

    me = api_for(student)
    started = me.post(f"/api/v1/quizzes/{secret_quiz.pk}/start")
    assert started.status_code == 201, started.content
    attempt_id = started.json()["attempt_id"]
    mcq, tf, short, essay = secret_qs
    for body in (
        {"question_id": str(mcq.pk), "answer_option": 0},
        {"question_id": str(tf.pk), "answer_option": 0},
        {"question_id": str(short.pk), "answer_text": "Lutetia"},
        {"question_id": str(essay.pk), "answer_text": "Because halves."},
    ):
        assert me.post(f"/api/v1/attempts/{attempt_id}/answer", body, format="json").status_code == 200
    me.post(f"/api/v1/attempts/{attempt_id}/violations", {"violation_type": "tab_switch"}, format="json")
    assert me.post(f"/api/v1/attempts/{attempt_id}/submit").status_code == 200

    grading = api_for(teacher).get(f"/api/v1/grading/attempts/{attempt_id}").json()
    essay_answer = next(a for a in grading["answers"] if a["question"]["type"] == "descriptive")
    graded = api_for(teacher).post(
        f"/api/v1/grading/attempts/{attempt_id}/grade",
        {"grades": [{"answer_id": essay_answer["answer_id"], "marks_awarded": 3, "feedback": "Fine."}]},
        format="json",
    )
    assert graded.status_code == 200, graded.content
    # The teacher fixes the key: a regrade re-marks the attempt and notifies the student.
    fixed = api_for(teacher).put(
        f"/api/v1/questions/{short.pk}", {"accepted_answers": ["ZQXNOREVIEWACCEPTED", "Lutetia"]}, format="json"
    )
    assert fixed.status_code == 200, fixed.content

    second = me.post(f"/api/v1/quizzes/{secret_quiz.pk}/start")
    assert second.status_code == 201, second.content
    in_progress = me.post(f"/api/v1/quizzes/{open_quiz.pk}/start")
    assert in_progress.status_code == 201, in_progress.content
    assert student.user.notifications.exists()

    from attempts.models import QuizAttempt

    return {
        "quizzes": [secret_quiz, open_quiz, draft_quiz, other_quiz],
        "attempts": list(QuizAttempt.objects.all()),
        "questions": secret_qs,
    }


def _candidates(exam_history, teacher, other_teacher, student, outsider_student, school_class):
    ids = [q.pk for q in exam_history["quizzes"]]
    ids += [a.pk for a in exam_history["attempts"]]
    ids += [q.pk for q in exam_history["questions"]]
    ids += [student.pk, outsider_student.pk, teacher.pk, other_teacher.pk, school_class.pk]
    ids += list(student.user.notifications.values_list("pk", flat=True))
    from attempts.models import StudentAnswer

    ids += list(StudentAnswer.objects.values_list("pk", flat=True)[:4])
    return ids


QUERY_VARIANTS = ["", "?format=json", "?format=csv", "?format=xlsx", "?format=pdf", "?include_answers=true"]


def _urls(routes, ids, codes):
    for route in routes:
        if "GET" not in route.methods:
            continue
        if not route.kwargs:
            values = [{}]
        elif route.kwargs == ("code",):
            values = [{"code": c} for c in codes]
        else:
            values = [
                dict(zip(route.kwargs, combo, strict=True))
                for combo in itertools.product(ids, repeat=len(route.kwargs))
            ]
            if len(route.kwargs) > 1:
                values = values[:60]
        # Formats only matter where a view renders files (exports, PDFs, printable pages).
        variants = QUERY_VARIANTS if re.search(r"export|pdf|print|results|analytics", route.template) else [""]
        for v in values:
            base = route.url(**v)
            for q in variants:
                yield base + q


def _secret_strings(exam_history):
    secrets = []
    for quiz in exam_history["quizzes"]:
        tag = quiz.title.split()[-1]
        if tag == "INPROGRESS" or tag == "NOREVIEW":
            secrets += [f"ZQX{tag}ACCEPTED", f"ZQX{tag}SAMPLE", f"ZQX{tag}RUBRIC"]
    return secrets


def test_no_answer_key_reaches_a_student_through_any_api_endpoint(
    exam_history, api_for, teacher, other_teacher, student, outsider_student, school_class
):
    client = api_for(student)
    ids = _candidates(exam_history, teacher, other_teacher, student, outsider_student, school_class)
    codes = [q.access_code for q in exam_history["quizzes"]] + [q.access_code.lower() for q in exam_history["quizzes"]]
    secrets = _secret_strings(exam_history)
    leaks, seen_ok = [], 0
    for url in _urls(api_routes(), ids, codes):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200:
            continue
        seen_ok += 1
        text = _text_of(response)
        leaks += [(url, s) for s in secrets if s in text]
        if response["Content-Type"].startswith("application/json"):
            for path, key, value in _walk_json(json.loads(text)):
                if key in SECRET_KEYS and value not in (None, "", [], {}):
                    leaks.append((url, path, value))
    assert seen_ok > 20, "the student should reach their own quizzes, attempts, notifications and analytics"
    assert not leaks, "\n".join(map(str, leaks))


def test_the_walk_would_see_a_leak(exam_history, api_for, teacher):
    """Control: the same texts, read by the quiz's teacher, do carry the secrets, so the walks above can fail."""
    attempt = next(a for a in exam_history["attempts"] if a.quiz.title == "Quiz NOREVIEW" and a.is_finished)
    grading = api_for(teacher).get(f"/api/v1/grading/attempts/{attempt.pk}")
    assert "ZQXNOREVIEWRUBRIC" in _text_of(grading)
    pdf = api_for(teacher).get(f"/api/v1/exports/attempts/{attempt.pk}/pdf")
    assert "ZQXNOREVIEWACCEPTED" in _text_of(pdf)


def test_no_answer_key_reaches_a_student_through_any_page(
    exam_history, teacher, other_teacher, student, outsider_student, school_class
):
    client = Client()
    client.force_login(student.user)
    ids = _candidates(exam_history, teacher, other_teacher, student, outsider_student, school_class)
    codes = [q.access_code for q in exam_history["quizzes"]]
    secrets = _secret_strings(exam_history)
    leaks, seen_ok = [], 0
    for url in _urls(page_routes(), ids, codes):
        if url.startswith("/accounts/logout"):
            continue
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200:
            continue
        seen_ok += 1
        text = _text_of(response)
        leaks += [(url, s) for s in secrets if s in text]
    # Pages the student reaches with attempt ids are also reached as results (?format=pdf etc. on print pages).
    assert seen_ok > 10
    assert not leaks, "\n".join(map(str, leaks))
