"""The access-code lookup that the API and the student's page share (issue 12: the page must accept whatever the API
accepts)."""

import pytest

from quizzes.selectors import quiz_get_by_access_code


@pytest.mark.django_db
def test_access_code_is_found_however_the_student_types_it(student, published_quiz):
    code = published_quiz.access_code
    for typed in (code, f"{code[:4].lower()}-{code[4:].lower()}", f" {code[:4]} {code[4:]} ", f"\t{code.lower()}\n"):
        assert quiz_get_by_access_code(user=student.user, code=typed) == published_quiz, typed


@pytest.mark.django_db
def test_access_code_finds_only_a_published_quiz_of_the_students_class(student, outsider_student, teacher, draft_quiz):
    code = draft_quiz.access_code
    assert quiz_get_by_access_code(user=student.user, code=code) is None  # a draft
    draft_quiz.status = "published"
    draft_quiz.save(update_fields=["status"])
    assert quiz_get_by_access_code(user=student.user, code=code) == draft_quiz
    assert quiz_get_by_access_code(user=outsider_student.user, code=code) is None  # not their class
    assert quiz_get_by_access_code(user=teacher.user, code=code) is None  # staff look codes up as staff
    assert quiz_get_by_access_code(user=student.user, code="  -  ") is None
    draft_quiz.status = "archived"
    draft_quiz.save(update_fields=["status"])
    assert quiz_get_by_access_code(user=student.user, code=code) is None
