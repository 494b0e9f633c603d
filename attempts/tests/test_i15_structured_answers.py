"""Issue 15: structured answers of the new types, through the real endpoints: the exam shows no key, autosave
keeps the client_seq guarantees, submit marks with partial credit, the review reveals the key only when allowed,
negative marking never takes a total below 0."""

from decimal import Decimal

import pytest

from attempts.models import QuizAttempt, StudentAnswer
from tests.builders import new_types_quiz

pytestmark = pytest.mark.django_db

RIGHT = {
    "multiple_response": [0, 1, 3],
    "numeric": "9,81",
    "matching": ["water", "salt"],
    "ordering": ["Mercury", "Venus", "Earth", "Mars"],
    "cloze": {"1": "100", "2": "Zero"},
}
PARTLY = {
    "multiple_response": [0, 1, 2],  # 2/3 - 1/2 = 1/6 of 3 marks
    "numeric": "9.85",  # near miss: half of 2
    "matching": ["water", "sugar"],  # 1 of 2 pairs
    "ordering": ["Venus", "Mercury", "Earth", "Mars"],  # 5 of 6 pairs
    "cloze": {"1": "100"},  # 1 of 2 blanks
}
PARTLY_MARKS = {"multiple_response": "0.50", "numeric": "1.00", "matching": "1.00", "ordering": "5.00", "cloze": "1.00"}


def start(client, quiz):
    response = client.post(f"/api/v1/quizzes/{quiz.pk}/start")
    assert response.status_code in (200, 201), response.content
    return response.json()


def save(client, attempt_id, items):
    return client.post(f"/api/v1/attempts/{attempt_id}/answer", {"answers": items}, format="json")


def by_type(exam):
    return {q["type"]: q for q in exam["questions"]}


@pytest.fixture
def quiz(teacher, school_class):
    return new_types_quiz(teacher, school_class, show_answers_after_submission=True)


def test_the_exam_shows_each_widget_but_no_key(api_for, student, quiz):
    exam = start(api_for(student), quiz)
    q = by_type(exam)
    assert q["multiple_response"]["options"] == ["2", "3", "4", "5", "6"]
    assert q["matching"]["prompts"] == ["H₂O", "NaCl"] and sorted(q["matching"]["choices"]) == [
        "salt",
        "sugar",
        "water",
    ]
    assert sorted(q["ordering"]["items"]) == sorted(RIGHT["ordering"])
    assert q["ordering"]["items"] != RIGHT["ordering"]  # never shown solved
    assert q["cloze"]["blanks"] == ["1", "2"] and q["numeric"]["unit"] == "m/s²"
    body = str(exam)
    for secret in ("details", "correct", "tolerance", "9.81", "'answers'", "scoring"):
        assert secret not in body, secret
    assert "prompts" not in q["ordering"] and "items" not in q["matching"]  # each type only its own parts


def test_structured_answers_autosave_reload_and_are_marked_with_partial_credit(api_for, student, quiz):
    client = api_for(student)
    exam = start(client, quiz)
    ids = {t: q["id"] for t, q in by_type(exam).items()}
    items = [{"question_id": ids[t], "response": PARTLY[t], "client_seq": i + 1} for i, t in enumerate(PARTLY)]
    response = save(client, exam["attempt_id"], items)
    assert response.status_code == 200, response.content
    assert all(r["applied"] for r in response.json()["results"])
    # An older retry arriving late is acknowledged but changes nothing.
    late = save(client, exam["attempt_id"], [{"question_id": ids["numeric"], "response": "1", "client_seq": 1}])
    assert late.json()["results"][0]["applied"] is False

    resumed = by_type(start(client, quiz))
    for t, given in PARTLY.items():
        saved = resumed[t]["saved_answer"]
        assert (saved["answer_text"] if t == "numeric" else saved["response"]) == given, t

    assert client.post(f"/api/v1/attempts/{exam['attempt_id']}/submit").status_code == 200
    marks = {a.question.type: a.marks_awarded for a in StudentAnswer.objects.filter(attempt_id=exam["attempt_id"])}
    assert marks == {t: Decimal(m) for t, m in PARTLY_MARKS.items()}
    attempt = QuizAttempt.objects.get(pk=exam["attempt_id"])
    assert attempt.score == Decimal("8.50") and attempt.total_marks == 15

    detail = client.get(f"/api/v1/attempts/{exam['attempt_id']}").json()
    review = {a["question"]["type"]: a for a in detail["answers"]}
    assert review["ordering"]["response"] == PARTLY["ordering"]
    assert review["matching"]["key"]["pairs"][1] == {"prompt": "NaCl", "answer": "salt"}
    assert "9.81 ± 0.01 m/s²" in review["numeric"]["key_display"]
    assert review["cloze"]["answer_text"] is None  # the structured answer travels as `response`


def test_everything_right_scores_full_marks(api_for, student, quiz):
    client = api_for(student)
    exam = start(client, quiz)
    ids = {t: q["id"] for t, q in by_type(exam).items()}
    assert (
        save(client, exam["attempt_id"], [{"question_id": ids[t], "response": v} for t, v in RIGHT.items()]).status_code
        == 200
    )
    client.post(f"/api/v1/attempts/{exam['attempt_id']}/submit")
    attempt = QuizAttempt.objects.get(pk=exam["attempt_id"])
    assert (attempt.score, attempt.percentage, attempt.status) == (Decimal(15), Decimal(100), "graded")


@pytest.mark.parametrize(
    ("qtype", "response", "words"),
    [
        ("multiple_response", [7], "option indexes"),
        ("multiple_response", "0,1", "option indexes"),
        ("matching", ["water"], "one per prompt"),
        ("matching", ["water", "<img src=x onerror=alert(1)>"], "one of the question's answers"),
        ("ordering", ["Mercury", "Venus", "Earth"], "every item"),
        ("cloze", {"7": "x"}, "blanks of the question"),
        ("numeric", ["3"], "a number as text"),
    ],
)
def test_a_malformed_structured_answer_is_refused_and_changes_nothing(api_for, student, quiz, qtype, response, words):
    client = api_for(student)
    exam = start(client, quiz)
    qid = by_type(exam)[qtype]["id"]
    good = save(client, exam["attempt_id"], [{"question_id": qid, "response": RIGHT[qtype], "client_seq": 1}])
    assert good.status_code == 200
    bad = save(client, exam["attempt_id"], [{"question_id": qid, "response": response, "client_seq": 2}])
    assert bad.status_code == 400 and words in bad.json()["detail"]
    saved = StudentAnswer.objects.get(attempt_id=exam["attempt_id"], question_id=qid)
    assert saved.client_seq == 1


def test_guide_types_refuse_a_response_and_new_types_refuse_an_option(api_for, student, teacher, school_class):
    from tests.builders import make_quiz

    quiz = new_types_quiz(teacher, school_class)
    client = api_for(student)
    exam = start(client, quiz)
    qid = by_type(exam)["matching"]["id"]
    assert save(client, exam["attempt_id"], [{"question_id": qid, "answer_option": 0}]).status_code == 400
    guide = make_quiz(teacher, school_class, title="Guide types")
    exam2 = start(client, guide)
    mcq = next(q for q in exam2["questions"] if q["type"] == "mcq")
    assert save(client, exam2["attempt_id"], [{"question_id": mcq["id"], "response": [0]}]).status_code == 400


def test_the_key_stays_hidden_when_the_quiz_does_not_show_answers(api_for, student, teacher, school_class):
    quiz = new_types_quiz(teacher, school_class, show_answers_after_submission=False)
    client = api_for(student)
    exam = start(client, quiz)
    ids = {t: q["id"] for t, q in by_type(exam).items()}
    save(client, exam["attempt_id"], [{"question_id": ids[t], "response": v} for t, v in PARTLY.items()])
    client.post(f"/api/v1/attempts/{exam['attempt_id']}/submit")
    detail = client.get(f"/api/v1/attempts/{exam['attempt_id']}").json()
    for a in detail["answers"]:
        assert {"key", "key_display", "general_feedback", "option_feedback"}.isdisjoint(a), a
        assert "response" in a  # the student's own answer is always theirs to see
    # The teacher's grading detail has the answer and the key.
    grading = api_for(teacher).get(f"/api/v1/grading/attempts/{exam['attempt_id']}")
    assert grading.status_code == 200
    answers = {a["question"]["type"]: a for a in grading.json()["answers"]}
    assert answers["matching"]["response"] == PARTLY["matching"]
    assert answers["matching"]["question"]["details"]["pairs"][0]["answer"] == "water"
    assert answers["ordering"]["student_answer"] == "Venus → Mercury → Earth → Mars"
    assert answers["cloze"]["correct_answer_text"] == "[1] 100; [2] 0 / zero"


def test_negative_marking_deducts_for_wrong_answers_and_never_goes_below_zero(api_for, student, teacher, school_class):
    quiz = new_types_quiz(teacher, school_class, negative_marking_percent=50)
    client = api_for(student)
    exam = start(client, quiz)
    ids = {t: q["id"] for t, q in by_type(exam).items()}
    wrong = {"numeric": "42", "matching": ["sugar", "water"], "cloze": {"1": "90"}, "multiple_response": [2, 4]}
    save(client, exam["attempt_id"], [{"question_id": ids[t], "response": v} for t, v in wrong.items()])
    client.post(f"/api/v1/attempts/{exam['attempt_id']}/submit")
    attempt = QuizAttempt.objects.get(pk=exam["attempt_id"])
    # 0 - 50 % of (3 + 2 + 2 + 2) would be -4.5: floored at 0. The unanswered ordering costs nothing.
    assert (attempt.score, attempt.percentage, attempt.passed) == (Decimal("0.00"), Decimal("0.00"), False)
    quiz2 = new_types_quiz(teacher, school_class, negative_marking_percent=25, title="Milder")
    exam2 = start(client, quiz2)
    ids2 = {t: q["id"] for t, q in by_type(exam2).items()}
    save(client, exam2["attempt_id"], [{"question_id": ids2["numeric"], "response": "42"},
                                       {"question_id": ids2["ordering"], "response": RIGHT["ordering"]}])  # fmt: skip
    client.post(f"/api/v1/attempts/{exam2['attempt_id']}/submit")
    assert QuizAttempt.objects.get(pk=exam2["attempt_id"]).score == Decimal("5.50")  # 6 - 25 % of 2


def test_the_exam_page_renders_the_widgets(client, student, quiz):
    client.force_login(student.user)
    from attempts import services

    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)
    from django.urls import reverse

    html = client.get(reverse("attempts:take", args=[attempt.pk])).content.decode()
    assert html.count('type="checkbox" data-choice') == 5
    assert html.count("data-prompt=") == 2 and html.count('class="order-item"') == 4
    assert html.count('class="cloze-blank"') == 2 and 'inputmode="decimal"' in html
    # The numeric key (its value and its "tolerance" field) never reaches the page; the exam config's
    # "toleranceMs" is the violation policy's blip tolerance (issue 17), not a key.
    assert "9.81" not in html and '"tolerance"' not in html and "± " not in html


def test_a_key_fix_regrades_and_renaming_what_answers_name_is_refused(
    api_for, student, teacher, quiz, django_capture_on_commit_callbacks
):
    from quizzes.services import QuizError, question_update

    client = api_for(student)
    exam = start(client, quiz)
    ids = {t: q["id"] for t, q in by_type(exam).items()}
    save(client, exam["attempt_id"], [{"question_id": ids[t], "response": v} for t, v in PARTLY.items()])
    client.post(f"/api/v1/attempts/{exam['attempt_id']}/submit")
    assert QuizAttempt.objects.get(pk=exam["attempt_id"]).score == Decimal("8.50")

    # The teacher decides ordering is all or nothing: the earlier attempt is regraded on purpose (5 marks lost).
    ordering = quiz.q["ordering"]
    with django_capture_on_commit_callbacks(execute=True):  # the regrade runs once the edit has committed
        question_update(
            question=ordering, by=teacher.user, data={"details": {**ordering.details, "scoring": "all_or_nothing"}}
        )
    assert QuizAttempt.objects.get(pk=exam["attempt_id"]).score == Decimal("3.50")

    # Renaming an item would turn the students' answers wrong: refused, nothing changes.
    ordering.refresh_from_db()
    renamed = {**ordering.details, "items": ["Mercury", "Venus", "Terra", "Mars"]}
    with pytest.raises(QuizError) as refused:
        question_update(question=ordering, by=teacher.user, data={"details": renamed})
    assert refused.value.status_code == 409
    ordering.refresh_from_db()
    assert "Earth" in ordering.details["items"]
