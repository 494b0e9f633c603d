"""Results to families: who gets an e-mail (graded attempts of the chosen class only, parents only where the school
enabled it and the teacher asked), what it holds (the student's own attempt report), and never twice."""

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Student
from reports.errors import ReportError
from reports.models import ResultEmail
from reports.services import results_email_deliver, results_email_preview, results_emails_send
from tests.builders import CORRECT, WRONG, finish_attempt
from tests.factories import DEFAULT_PASSWORD, QuizClassFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return results_emails_send(**kwargs)

    return run


@pytest.fixture
def two_classes(quiz, school_class, other_class, student, outsider_student):
    """Alice (this class, graded, with a parent e-mail on record) and Oscar (the other class, graded) took the
    quiz, which is assigned to both classes."""
    QuizClassFactory(quiz=quiz, school_class=other_class)
    Student.objects.filter(pk=student.pk).update(parent_email="parent.johnson@home.test")
    alice = finish_attempt(quiz, student, [CORRECT, WRONG, CORRECT])
    finish_attempt(quiz, outsider_student, [CORRECT, CORRECT, CORRECT])
    return alice


def test_each_graded_student_of_the_class_gets_their_own_report_once(send, teacher, quiz, school_class, two_classes):
    queued = send(quiz=quiz, school_class=school_class, by=teacher.user)
    assert [e.email for e in queued] == ["alice@school.test"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@school.test"] and message.subject == "Results: Fractions test — Alice Johnson"
    assert 'Your result in "Fractions test" (Mathematics): 2 out of 3 (66.67%), passed.' in message.body
    name, content, content_type = message.attachments[0]
    assert content_type == "application/pdf" and name.startswith("stu2026001")
    import io

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Alice Johnson" in text and "Answer given" in text and "Correct answer" not in text  # the student's view
    assert "oscar" not in " ".join(m.to[0] for m in mail.outbox)  # another class's student: never
    assert ResultEmail.objects.get().status == "sent"

    # Sending again (a double click, a retried request) sends nothing new.
    assert send(quiz=quiz, school_class=school_class, by=teacher.user) == []
    assert len(mail.outbox) == 1
    # A retried task finds the row sent and does not send it again.
    assert results_email_deliver(email_id=ResultEmail.objects.get().pk) == "sent"
    assert len(mail.outbox) == 1


def test_parents_only_where_the_school_enabled_it_and_the_teacher_asked(
    send, teacher, quiz, school_class, two_classes, settings
):
    settings.RESULTS_EMAIL_TO_PARENTS = False
    send(quiz=quiz, school_class=school_class, by=teacher.user, include_parents=True)
    assert [m.to for m in mail.outbox] == [["alice@school.test"]]  # the school has not enabled it: no parent

    settings.RESULTS_EMAIL_TO_PARENTS = True
    preview = results_email_preview(quiz=quiz, school_class=school_class, by=teacher.user)
    assert [r.recipient for r in preview.rows] == ["student"]  # enabled, but the teacher did not ask
    send(quiz=quiz, school_class=school_class, by=teacher.user, include_parents=True)
    assert [m.to for m in mail.outbox] == [["alice@school.test"], ["parent.johnson@home.test"]]
    assert "parent or guardian of Alice Johnson" in mail.outbox[1].body
    assert "Alice Johnson's result" in mail.outbox[1].body


def test_a_failed_send_is_retried_and_only_it(send, teacher, quiz, school_class, two_classes, monkeypatch):
    from django.core.mail import EmailMessage

    real = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("SMTP down")))
    send(quiz=quiz, school_class=school_class, by=teacher.user)
    row = ResultEmail.objects.get()
    assert row.status == "failed" and "SMTP down" in row.error and not mail.outbox
    monkeypatch.setattr(EmailMessage, "send", real)
    assert [e.pk for e in send(quiz=quiz, school_class=school_class, by=teacher.user)] == [row.pk]
    assert len(mail.outbox) == 1 and ResultEmail.objects.get().status == "sent"


def test_a_row_left_sending_by_a_dead_worker_is_not_sent_again(send, teacher, quiz, school_class, two_classes):
    with pytest.MonkeyPatch.context() as m:
        m.setattr("reports.services.results_emails.send_result_emails.delay", lambda ids: None)
        send(quiz=quiz, school_class=school_class, by=teacher.user)
    ResultEmail.objects.update(status="sending")  # the worker died between "sending" and "sent"
    assert send(quiz=quiz, school_class=school_class, by=teacher.user) == []
    assert results_email_deliver(email_id=ResultEmail.objects.get().pk) == "sending"
    assert not mail.outbox


def test_another_teacher_cannot_preview_or_send(teacher, other_teacher, quiz, school_class, other_class, two_classes):
    with pytest.raises(ReportError) as exc:
        results_emails_send(quiz=quiz, school_class=school_class, by=other_teacher.user)
    assert exc.value.status_code == 404
    with pytest.raises(ReportError):  # a class the teacher does not teach
        results_email_preview(quiz=quiz, school_class=other_class, by=teacher.user)
    assert not ResultEmail.objects.exists() and not mail.outbox


def test_the_page_previews_then_sends(
    client, teacher, quiz, school_class, two_classes, django_capture_on_commit_callbacks
):
    StudentFactory(school_class=school_class, user__name="Nora Notyet")  # has not taken the quiz
    assert client.login(username="teacher@school.test", password=DEFAULT_PASSWORD)
    url = reverse("reports:results_emails", args=[quiz.pk, school_class.pk])
    html = client.get(url).content.decode()
    assert "Subject: Results: Fractions test — Alice Johnson" in html and "Send 1 e-mail" in html
    assert "Nora" not in html and "Oscar" not in html
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    response = client.get(response["Location"])
    assert "1 results e-mail queued." in response.content.decode() and 'badge-ok">Sent' in response.content.decode()
    assert len(mail.outbox) == 1


def test_the_api_previews_and_sends_once(api_for, teacher, quiz, school_class, two_classes,
                                         django_capture_on_commit_callbacks):  # fmt: skip
    client = api_for(teacher)
    url = f"/api/v1/reports/quiz/{quiz.pk}/results-emails"
    preview = client.get(url, {"class_id": str(school_class.pk)}).json()
    assert [(r["student_name"], r["recipient"], r["status"]) for r in preview["recipients"]] == [
        ("Alice Johnson", "student", "")
    ]
    assert preview["sample_subject"] == "Results: Fractions test — Alice Johnson" and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"class_id": str(school_class.pk)}, format="json")
    assert response.status_code == 202 and response.json()["queued"] == 1 and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"class_id": str(school_class.pk)}, format="json").json()["queued"] == 0
    assert len(mail.outbox) == 1
    assert client.get(url, {"class_id": str(school_class.pk)}).json()["recipients"][0]["status"] == "sent"


@pytest.mark.parametrize("who", ["other_teacher", "student", None])
def test_the_api_refuses_outsiders_and_sends_nothing(request, api, api_for, quiz, school_class, other_class,
                                                     two_classes, who):  # fmt: skip
    client = api_for(request.getfixturevalue(who)) if who else api
    url = f"/api/v1/reports/quiz/{quiz.pk}/results-emails"
    for response in (client.get(url, {"class_id": str(school_class.pk)}),
                     client.post(url, {"class_id": str(school_class.pk)}, format="json")):  # fmt: skip
        assert response.status_code == {"other_teacher": 404, "student": 403, None: 401}[who]
        assert b"Alice" not in response.content
    assert not ResultEmail.objects.exists() and not mail.outbox


def test_the_api_refuses_a_class_the_teacher_does_not_teach(api_for, teacher, quiz, other_class, two_classes):
    response = api_for(teacher).post(f"/api/v1/reports/quiz/{quiz.pk}/results-emails",
                                     {"class_id": str(other_class.pk)}, format="json")  # fmt: skip
    assert response.status_code == 404 and not ResultEmail.objects.exists()
    assert api_for(teacher).post(f"/api/v1/reports/quiz/{quiz.pk}/results-emails", {}, format="json").status_code == 400


def test_the_page_offers_parents_only_where_the_school_enabled_it(client, teacher, quiz, school_class, two_classes,
                                                                 settings):  # fmt: skip
    assert client.login(username="teacher@school.test", password=DEFAULT_PASSWORD)
    url = reverse("reports:results_emails", args=[quiz.pk, school_class.pk])
    html = client.get(url).content.decode()
    assert 'name="include_parents"' not in html and "has not enabled results e-mails to parents" in html
    settings.RESULTS_EMAIL_TO_PARENTS = True
    html = client.get(url, {"include_parents": "on"}).content.decode()
    assert 'name="include_parents" checked' in html and "parent.johnson@home.test" in html and "Send 2 e-mails" in html
