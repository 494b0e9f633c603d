"""Issue 15: the type-adaptive question editor writes the new types (its fields are parsed by the form, the rules
are Question.clean()'s), shows a type's error next to that type's field, and reads a question back unchanged."""

import pytest
from django.urls import reverse

from quizzes.forms import QuestionForm
from quizzes.models import Question

pytestmark = pytest.mark.django_db

BASE = {"difficulty": "medium", "marks": 2, "topic": "Science"}
POSTS = {
    "multiple_response": {
        "text": "Primes?",
        "options": "2\n3\n4",
        "correct_options": "1, 2",
        "mr_scoring": "right_minus_wrong",
        "option_feedback": "Yes\n\nEven",
    },
    "numeric": {"text": "g?", "numeric_answers": "9,81 ± 0.01\n9.81 +/- 0.2 = 50%", "unit": "m/s²"},
    "matching": {"text": "Match", "pairs": "H₂O -> water\nNaCl → salt", "distractors": "sugar"},
    "ordering": {"text": "Order", "order_items": "one\ntwo\nthree", "order_scoring": "all_or_nothing"},
    "cloze": {"text": "Boils at [[1]] °C, freezes at [[2]].", "blanks": "1 (2): 100 | hundred\n[[2]]: 0"},
    "mcq": {
        "text": "π is about",
        "options": "3.14\n3\n22/7",
        "correct_option": 1,
        "near_answers": "3 = 50%",
        "general_feedback": "π = $\\frac{C}{d}$",
    },
}
EXPECTED = {
    "multiple_response": {"correct": [0, 1], "scoring": "right_minus_wrong", "feedback": ["Yes", "", "Even"]},
    "numeric": {
        "answers": [
            {"value": 9.81, "tolerance": 0.01, "fraction": 1},
            {"value": 9.81, "tolerance": 0.2, "fraction": 0.5},
        ],
        "unit": "m/s²",
    },
    "matching": {
        "pairs": [{"prompt": "H₂O", "answer": "water"}, {"prompt": "NaCl", "answer": "salt"}],
        "distractors": ["sugar"],
    },
    "ordering": {"items": ["one", "two", "three"], "scoring": "all_or_nothing"},
    "cloze": {
        "blanks": [
            {"id": 1, "answers": ["100", "hundred"], "marks": 2, "case_sensitive": False},
            {"id": 2, "answers": ["0"], "marks": 1, "case_sensitive": False},
        ]
    },
    "mcq": {"fractions": [1.0, 0.0, 0.5]},
}


@pytest.mark.parametrize("qtype", list(POSTS))
def test_each_type_through_the_editor_and_back(client, teacher, qtype):
    client.force_login(teacher.user)
    # Boxes of other types, as a browser without JavaScript sends them, are ignored.
    noise = {"accepted_answers": "x", "pairs": "not a pair", "blanks": "junk", "numeric_answers": "abc"}
    noise = {k: v for k, v in noise.items() if k not in POSTS[qtype]}
    r = client.post(reverse("quizzes:question_create"), {**BASE, **noise, "type": qtype, **POSTS[qtype]})
    assert r.status_code == 302, r.context["form"].errors
    q = Question.objects.get()
    assert q.details == EXPECTED[qtype]
    # Read back into the form and saved again: nothing changes.
    initial = QuestionForm.initial_for(q)
    data = {k: v for k, v in initial.items() if v not in (None, "")}
    r = client.post(reverse("quizzes:question_edit", args=[q.pk]), data)
    assert r.status_code == 302, r.context["form"].errors
    q.refresh_from_db()
    assert q.details == EXPECTED[qtype]
    page = client.get(reverse("quizzes:question_edit", args=[q.pk])).content.decode()
    assert 'data-types="cloze"' in page and 'data-types="numeric"' in page  # the type-adaptive fields


@pytest.mark.parametrize(
    ("qtype", "post", "field", "words"),
    [
        ("cloze", {"text": "[[1]] and [[1]]", "blanks": "1: a"}, "text", "more than once"),
        ("cloze", {"text": "[[1]] and [[2]]", "blanks": "1: a"}, "blanks", "no accepted answers"),
        ("numeric", {"text": "n", "numeric_answers": "nine ± 1"}, "numeric_answers", "value ± tolerance"),
        ("multiple_response", {"text": "m", "options": "a\nb", "correct_options": "3"}, "correct_options", "indexes"),
        ("matching", {"text": "m", "pairs": "a -> b"}, "pairs", "2 to 10"),
        ("ordering", {"text": "o", "order_items": "a\nA"}, "order_items", "different"),
    ],
)
def test_errors_appear_next_to_the_types_field(client, teacher, qtype, post, field, words):
    client.force_login(teacher.user)
    r = client.post(reverse("quizzes:question_create"), {**BASE, "type": qtype, **post})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors and words in str(errors[field]), errors
    assert not Question.objects.exists()


def test_another_teacher_cannot_open_or_edit_it(client, teacher, other_teacher):
    client.force_login(teacher.user)
    client.post(reverse("quizzes:question_create"), {**BASE, "type": "ordering", **POSTS["ordering"]})
    q = Question.objects.get()
    client.force_login(other_teacher.user)
    assert client.get(reverse("quizzes:question_edit", args=[q.pk])).status_code == 404
    r = client.post(reverse("quizzes:question_edit", args=[q.pk]), {**BASE, "type": "ordering", "text": "x"})
    assert r.status_code == 404
    q.refresh_from_db()
    assert q.text == "Order"
