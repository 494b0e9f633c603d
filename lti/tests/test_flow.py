"""The whole LMS story against the platform on loopback: a teacher deep links a quiz, a learner launches it and
takes it, the score arrives at the platform's AGS endpoint (at submit, then after the teacher's hand mark), the
teacher sees the status and resends a failed one, and a roster comes in through NRPS."""

from __future__ import annotations

import re

import pytest
import requests
from django.test import Client

from accounts.models import AuditLog, Role, Student, User
from attempts.models import StudentAnswer
from grading.services.marking import attempt_grade
from lti.models import Context, GradeStatus, GradeSync, Identity, QuizLink, RosterSync
from lti.tests.conftest import do_launch, link_identity
from lti.tests.platform import INSTRUCTOR, LEARNER, form_fields
from tests.builders import build_quiz, make_attempt, science_quiz
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def deep_link(client, lms, teacher, quiz, school_class):
    link_identity(lms.registration_row, teacher, "lms-teacher")
    response, _ = do_launch(
        client, lms, lms.claims(sub="lms-teacher", roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest")
    )
    assert response.status_code == 200, response.content[:600]
    page = response.content.decode()
    assert quiz.title in page and "frame-ancestors " + lms.base in response["Content-Security-Policy"]
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/lti/deep-link/", {"token": token, "quiz": str(quiz.pk), "school_class": str(school_class.pk)}
    )
    assert answer.status_code == 200, answer.content[:600]
    assert lms.base in answer["Content-Security-Policy"].split("form-action")[1]
    action, fields = form_fields(answer.content.decode())
    assert action == lms.base + "/deep-link-return"
    back = requests.post(action, data=fields, timeout=5)  # the browser's auto-post back to the LMS
    assert back.status_code == 200, back.text
    return token, lms.deep_link_answers[-1]


@pytest.fixture
def lms_reg(lms, registered):
    lms.registration_row = registered
    return lms


def test_teacher_deep_links_a_quiz_with_a_line_item_of_the_quiz_total(client, lms_reg, teacher, school_class):
    quiz = science_quiz(teacher, school_class)
    token, answer = deep_link(client, lms_reg, teacher, quiz, school_class)
    [item] = answer[ITEMS]
    assert item["type"] == "ltiResourceLink" and item["title"] == quiz.title
    assert item["url"] == "http://testserver/lti/launch/"
    assert item["lineItem"]["scoreMaximum"] == 15  # 2 + 3 + 10 (the essay's marks in this quiz)
    assert answer["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    link = QuizLink.objects.get(pk=item["custom"]["quizsite_link"])
    assert link.quiz == quiz and link.context.school_class == school_class
    # the picker's token works once
    again = client.post("/lti/deep-link/", {"token": token, "quiz": str(quiz.pk)})
    assert again.status_code == 400 and "expired" in again.content.decode()
    assert QuizLink.objects.count() == 1


def test_teacher_cannot_deep_link_another_teachers_quiz(client, lms_reg, teacher, other_teacher, other_class):
    quiz = science_quiz(other_teacher, other_class)
    build_quiz(teacher, title="My own quiz")
    link_identity(lms_reg.registration_row, teacher, "lms-teacher")
    response, _ = do_launch(
        client, lms_reg, lms_reg.claims(sub="lms-teacher", roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest")
    )
    assert quiz.title not in response.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    refused = client.post("/lti/deep-link/", {"token": token, "quiz": str(quiz.pk)})
    assert refused.status_code == 404 and "Choose one of your quizzes" in refused.content.decode()
    assert not QuizLink.objects.exists() and not lms_reg.deep_link_answers


def test_learner_takes_the_linked_quiz_and_the_score_reaches_the_lms_gradebook(
    client, lms_reg, teacher, school_class, django_capture_on_commit_callbacks
):
    quiz = science_quiz(teacher, school_class)
    _, answer = deep_link(client, lms_reg, teacher, quiz, school_class)
    custom = answer[ITEMS][0]["custom"]
    learner = Client()
    claims = lms_reg.claims(sub="lms-learner", roles=[LEARNER], name="Lena Learner", **{CUSTOM: custom})
    response, _ = do_launch(learner, lms_reg, claims)
    assert response.status_code == 200, response.content[:500]
    go = re.search(r'href="(/lti/go/[^"]+)"', response.content.decode()).group(1)
    assert learner.get(learner.get(go)["Location"]).status_code == 200  # the quiz's intro, signed in
    student = Identity.objects.get(sub="lms-learner").user.student
    assert student.school_class == school_class

    with django_capture_on_commit_callbacks(execute=True):
        attempt = make_attempt(quiz, student)  # mcq and short right (5), the essay awaits the teacher
    [score] = lms_reg.scores
    assert score["lineitem"] == "/lineitems/1"
    assert score["content_type"] == "application/vnd.ims.lis.v1.score+json"
    assert score["userId"] == "lms-learner"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (5, 15)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "PendingManual")
    sync = GradeSync.objects.get(attempt=attempt)
    assert sync.status == GradeStatus.SENT
    assert AuditLog.objects.filter(action="lti.grade.sent", entity_id=attempt.pk).exists()

    essay = StudentAnswer.objects.get(attempt=attempt, question=quiz.essay)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_grade(attempt=attempt, by=teacher.user, grades=[{"answer_id": str(essay.pk), "marks_awarded": 8}])
    last = lms_reg.scores[-1]
    assert (last["scoreGiven"], last["scoreMaximum"], last["gradingProgress"]) == (13, 15, "FullyGraded")
    assert len(lms_reg.scores) == 2

    client.force_login(teacher.user)
    page = client.get(f"/lti/quizzes/{quiz.pk}/grades/").content.decode()
    assert "Lena Learner" in page and "13.00 / 15.00" in page and "Sent" in page


def test_a_failed_passback_is_retried_then_shown_failed_and_a_teacher_resends_it(
    client, lms_reg, teacher, school_class, django_capture_on_commit_callbacks, settings
):
    settings.LTI_GRADE_MAX_TRIES = 3
    quiz = science_quiz(teacher, school_class)
    _, answer = deep_link(client, lms_reg, teacher, quiz, school_class)
    learner = Client()
    do_launch(
        learner, lms_reg, lms_reg.claims(sub="lms-learner", roles=[LEARNER], **{CUSTOM: answer[ITEMS][0]["custom"]})
    )
    student = Identity.objects.get(sub="lms-learner").user.student
    lms_reg.fail_scores = 10
    with django_capture_on_commit_callbacks(execute=True):
        attempt = make_attempt(quiz, student)
    sync = GradeSync.objects.get(attempt=attempt)
    assert sync.status == GradeStatus.FAILED and sync.tries == 3 and "503" in sync.last_error
    assert not lms_reg.scores and lms_reg.fail_scores == 7
    assert AuditLog.objects.filter(action="lti.grade.failed").exists()

    client.force_login(teacher.user)
    page = client.get(f"/lti/quizzes/{quiz.pk}/grades/").content.decode()
    assert "Failed" in page and "gradebook is down" in page
    lms_reg.fail_scores = 0
    response = client.post(f"/lti/grades/{sync.pk}/resend/")
    assert response.status_code == 302
    sync.refresh_from_db()
    assert sync.status == GradeStatus.SENT and lms_reg.scores[-1]["scoreGiven"] == 5


def test_grade_pages_are_the_quiz_teachers_only(client, lms_reg, teacher, other_teacher, student, school_class):
    quiz = science_quiz(teacher, school_class)
    link = QuizLink.objects.create(
        platform=lms_reg.registration_row, deployment_id="dep-1", quiz=quiz, lineitem_url=lms_reg.lineitem()
    )
    attempt = make_attempt(quiz, student)
    sync = GradeSync.objects.create(link=link, attempt=attempt, lms_user_id="x", status=GradeStatus.FAILED)
    assert client.get(f"/lti/quizzes/{quiz.pk}/grades/").status_code == 302
    client.force_login(other_teacher.user)
    assert client.get(f"/lti/quizzes/{quiz.pk}/grades/").status_code == 404
    assert client.post(f"/lti/grades/{sync.pk}/resend/").status_code == 404
    client.force_login(student.user)
    assert client.get(f"/lti/quizzes/{quiz.pk}/grades/").status_code == 403
    sync.refresh_from_db()
    assert sync.status == GradeStatus.FAILED and not lms_reg.scores


def test_roster_sync_adds_learners_to_the_class_and_removes_nobody(
    client, lms_reg, teacher, school_class, other_class, student
):
    platform = lms_reg.registration_row
    context = Context.objects.create(
        platform=platform,
        context_id="course-1",
        school_class=school_class,
        memberships_url=lms_reg.base + "/memberships/course-1",
    )
    classless = StudentFactory(user__name="Cara Classless", school_class=None)
    link_identity(platform, classless, "lms-cara")
    elsewhere = StudentFactory(user__name="Emil Elsewhere", school_class=other_class)
    link_identity(platform, elsewhere, "lms-emil")
    gone = StudentFactory(user__name="Gil Gone", school_class=school_class)
    link_identity(platform, gone, "lms-gil")  # in our class, no longer in the LMS course
    lms_reg.members = [
        {"user_id": "lms-cara", "name": "Cara Classless", "roles": [LEARNER], "status": "Active"},
        {"user_id": "lms-emil", "name": "Emil Elsewhere", "roles": [LEARNER], "status": "Active"},
        {
            "user_id": "lms-new",
            "name": "Nina New",
            "email": "nina@lms.example.org",
            "roles": [LEARNER],
            "status": "Active",
        },
        {"user_id": "lms-teach", "name": "Tara Teacher", "roles": [INSTRUCTOR], "status": "Active"},
        {"user_id": "lms-left", "name": "Leo Left", "roles": [LEARNER], "status": "Inactive"},
    ]
    students_before = Student.objects.count()
    client.force_login(teacher.user)
    page = client.get("/lti/courses/").content.decode()
    assert "Maths 10" in page or "course-1" in page
    response = client.post(f"/lti/courses/{context.pk}/sync/", follow=True)
    assert "1 created, 1 added to the class" in response.content.decode()
    report = RosterSync.objects.get().report
    assert report["created"] == ["Nina New"] and report["linked"] == ["Cara Classless"]
    assert report["in_another_class"] == ["Emil Elsewhere"] and report["not_in_lms"] == ["Gil Gone"]
    assert report["not_students"] == ["Tara Teacher"] and report["skipped"] == ["Leo Left"]
    nina = Identity.objects.get(sub="lms-new").user
    assert nina.role == Role.STUDENT and nina.student.school_class == school_class
    classless.refresh_from_db()
    elsewhere.refresh_from_db()
    gone.refresh_from_db()
    assert classless.school_class == school_class and elsewhere.school_class != school_class
    assert gone.school_class == school_class  # never removed silently
    assert Student.objects.count() == students_before + 1
    assert not User.objects.filter(name="Tara Teacher").exists()
    assert AuditLog.objects.filter(action="lti.roster.sync", user=teacher.user).exists()


def test_roster_sync_is_for_the_class_teacher_only(client, lms_reg, other_teacher, school_class, student):
    context = Context.objects.create(
        platform=lms_reg.registration_row,
        context_id="course-1",
        school_class=school_class,
        memberships_url=lms_reg.base + "/memberships/c",
    )
    client.force_login(other_teacher.user)
    assert "course-1" not in client.get("/lti/courses/").content.decode()
    assert client.post(f"/lti/courses/{context.pk}/sync/").status_code == 404
    client.force_login(student.user)
    assert client.post(f"/lti/courses/{context.pk}/sync/").status_code == 403
    assert not RosterSync.objects.exists() and lms_reg.token_requests == 0


def test_a_hand_mark_of_zero_still_tells_the_lms_the_grading_is_done(
    client, lms_reg, teacher, school_class, student, django_capture_on_commit_callbacks
):
    quiz = science_quiz(teacher, school_class)
    QuizLink.objects.create(
        platform=lms_reg.registration_row, deployment_id="dep-1", quiz=quiz, lineitem_url=lms_reg.lineitem(2)
    )
    link_identity(lms_reg.registration_row, student, "lms-alice")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = make_attempt(quiz, student)
    essay = StudentAnswer.objects.get(attempt=attempt, question=quiz.essay)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_grade(attempt=attempt, by=teacher.user, grades=[{"answer_id": str(essay.pk), "marks_awarded": 0}])
    assert [(s["scoreGiven"], s["gradingProgress"]) for s in lms_reg.scores] == [
        (5, "PendingManual"),
        (5, "FullyGraded"),
    ]
    # a results change that changes nothing for this student sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        from lti.passback import on_results_changed

        on_results_changed(quiz_id=quiz.pk)
    assert len(lms_reg.scores) == 2


def test_the_best_attempt_counts(client, lms_reg, teacher, school_class, student, django_capture_on_commit_callbacks):
    from tests.builders import finish_attempt

    quiz = build_quiz(teacher, school_class=school_class, questions=2)
    QuizLink.objects.create(
        platform=lms_reg.registration_row, deployment_id="dep-1", quiz=quiz, lineitem_url=lms_reg.lineitem(3)
    )
    link_identity(lms_reg.registration_row, student, "lms-alice")
    for number, options in enumerate([[1, 0], [1, 1], [0, 0]], start=1):
        with django_capture_on_commit_callbacks(execute=True):
            finish_attempt(quiz, student, options, number=number)
    assert [s["scoreGiven"] for s in lms_reg.scores] == [1, 2]  # the worse third attempt is not sent


def test_the_api_lists_and_resends_scores_for_the_quiz_teacher_only(
    api_for, api, lms_reg, teacher, other_teacher, student, school_class, settings
):
    settings.LTI_GRADE_MAX_TRIES = 1
    quiz = science_quiz(teacher, school_class)
    link = QuizLink.objects.create(
        platform=lms_reg.registration_row, deployment_id="dep-1", quiz=quiz, lineitem_url=lms_reg.lineitem()
    )
    attempt = make_attempt(quiz, student)
    sync = GradeSync.objects.create(
        link=link, attempt=attempt, lms_user_id="lms-alice", status=GradeStatus.FAILED, score_given=5,
        score_maximum=15, tries=5, last_error="The LMS answered 503",
    )  # fmt: skip
    url = f"/api/v1/lti/quizzes/{quiz.pk}/grades"
    assert api.get(url).status_code == 401
    assert api_for(other_teacher).get(url).status_code == 404
    assert api_for(student).get(url).status_code == 403
    assert api_for(other_teacher).post(f"/api/v1/lti/grades/{sync.pk}/resend").status_code == 404
    [row] = api_for(teacher).get(url).json()["items"]
    assert (row["status"], row["score_given"], row["score_maximum"]) == ("failed", 5, 15)
    assert row["student_name"] == student.user.name and row["last_error"] == "The LMS answered 503"
    lms_reg.tool_jwks = Client().get("/lti/jwks/").json()
    resent = api_for(teacher).post(f"/api/v1/lti/grades/{sync.pk}/resend")
    assert resent.status_code == 200 and resent.json()["status"] == "sent"
    assert lms_reg.scores[-1]["userId"] == "lms-alice"
