from __future__ import annotations

import pytest

from accounts.models import AuditLog
from integrity import services
from integrity.models import CollusionLead, CollusionRun, Conclusion, LeadConclusion
from tests.builders import make_quiz, take_quiz
from tests.factories import QuestionFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_the_copying_pair_is_the_top_lead_with_every_kind_of_evidence(copied_quiz, teacher, student):
    run = services.collusion_compute(quiz=copied_quiz, by=teacher.user)
    assert (run.students, run.items, run.pairs, run.too_small) == (14, 12, 91, "")
    leads = list(CollusionLead.objects.filter(run=run))
    top = leads[0]
    assert {top.attempt_a.student_id, top.attempt_b.student_id} == {student.pk, copied_quiz.bob.pk}
    assert top.significant and top.p_value < run.lead_threshold
    assert (top.matches, top.identical_wrong, top.rare_matches) == (12, 6, 6)
    assert top.timing_matches == 12 and top.same_order
    assert top.shared_ip and top.ip_shared_by == 2 and top.same_device
    text = " ".join(top.explanation)
    assert "12 identical answers" in text and "6 of them identical wrong answers" in text
    assert "The chance of 12 or more matches by coincidence is below 1 in 1,000,000." in text
    assert "12 of the identical answers were last changed within 20 s of each other, in the same order." in text
    assert "Same IP address and the same browser; nobody else taking the quiz used it." in text
    assert [lead for lead in leads if lead.significant] == [top]  # nobody else is named
    assert AuditLog.objects.filter(action="quiz.collusion_compute", entity_id=copied_quiz.pk).exists()


def test_recomputing_replaces_the_leads_and_keeps_the_conclusion(copied_quiz, teacher):
    run = services.collusion_compute(quiz=copied_quiz, by=teacher.user)
    lead = run.leads.get(rank=1)
    services.lead_conclude(lead=lead, by=teacher.user, conclusion=Conclusion.FOLLOW_UP, note="Sat side by side.")
    again = services.collusion_compute(quiz=copied_quiz, by=teacher.user)
    assert CollusionRun.objects.filter(quiz=copied_quiz).get() == again
    assert CollusionLead.objects.filter(run__quiz=copied_quiz, run=again).count() >= 1
    assert LeadConclusion.objects.get().conclusion == Conclusion.FOLLOW_UP


def test_conclusion_is_audited_old_and_new(copied_quiz, teacher):
    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    services.lead_conclude(lead=lead, by=teacher.user, conclusion=Conclusion.FOLLOW_UP, note="Ask both.")
    services.lead_conclude(lead=lead, by=teacher.user, conclusion=Conclusion.EXPLAINED, note="Revised together.")
    rows = list(AuditLog.objects.filter(action="collusion_lead.conclude").order_by("created_at"))
    assert [r.new_value["conclusion"] for r in rows] == ["follow_up", "explained"]
    assert rows[1].old_value == {"conclusion": "follow_up", "note": "Ask both."}
    assert rows[1].user == teacher.user


def test_outsiders_can_neither_compute_nor_conclude(copied_quiz, teacher, other_teacher, student):
    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    for outsider in (other_teacher.user, student.user):
        with pytest.raises(services.IntegrityError):
            services.collusion_compute(quiz=copied_quiz, by=outsider)
        with pytest.raises(services.IntegrityError):
            services.lead_conclude(lead=lead, by=outsider, conclusion=Conclusion.MISCONDUCT)
        assert not CollusionLead.objects.visible_to(outsider).exists()
    assert not LeadConclusion.objects.exists()


def test_bad_conclusion_is_refused_and_changes_nothing(copied_quiz, teacher):
    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    with pytest.raises(services.IntegrityError, match="listed conclusions"):
        services.lead_conclude(lead=lead, by=teacher.user, conclusion="guilty")
    assert not LeadConclusion.objects.exists()


def test_a_small_quiz_says_so_instead_of_ranking(teacher, school_class, student):
    questions = [QuestionFactory(created_by=teacher, marks=1) for _ in range(4)]
    quiz = make_quiz(teacher, school_class, questions=questions)
    for who in (student, StudentFactory(school_class=school_class)):
        take_quiz(quiz, who, dict.fromkeys(questions, 3))
    run = services.collusion_compute(quiz=quiz, by=teacher.user)
    assert run.too_small.startswith("Only 2 students and 4 multiple-choice or short-answer questions")
    assert not run.leads.exists()


def test_requested_run_is_computed_by_the_task(copied_quiz, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.collusion_request(quiz=copied_quiz, by=teacher.user)
    run.refresh_from_db()
    assert run.status == "done" and run.leads.filter(significant=True).count() == 1


def test_a_quiz_that_has_closed_is_analysed_once(copied_quiz):
    from datetime import timedelta

    from django.utils import timezone

    copied_quiz.end_date = timezone.now() - timedelta(minutes=1)
    copied_quiz.save(update_fields=["end_date"])
    assert services.collusion_analyse_closed() == 1
    assert services.collusion_analyse_closed() == 0
    assert CollusionRun.objects.get(quiz=copied_quiz).requested_by is None
