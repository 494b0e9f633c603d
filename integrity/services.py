"""Writes of the integrity app: computing a quiz's collusion leads (on demand and after the quiz closes) and the
teacher's recorded conclusion about a pair. Keyword-only, atomic, each takes the acting user; a quiz is resolved
through Quiz.objects.manageable_by, a lead through CollusionLead.objects.visible_to, so the page, the API and the
task cannot check differently.

What a run reads of the quiz: each student's latest finished attempt; the objective questions (multiple choice,
true/false, short answer: a response is an option or a normalised text; descriptive answers are not categorical and
are left out); per answer the response, whether it earned full marks and when it was last changed (the autosave
stream keeps one row per answer, updated in place: `updated_at` is the moment of the last change); the attempts'
IP addresses and browsers; the violations' times. integrity.copying does the statistics.
"""

from __future__ import annotations

import bisect
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from attempts.models import FINISHED_STATUSES, QuizAttempt, StudentAnswer, Violation
from integrity import copying
from integrity.models import CollusionLead, CollusionRun, Conclusion, LeadConclusion, RunStatus
from quizsite.errors import DomainError
from quizzes.models import QuestionType, Quiz, QuizQuestion

MIN_STUDENTS = 10
MIN_ITEMS = 10
TIMING_WINDOW = timedelta(seconds=20)
VIOLATION_WINDOW = timedelta(seconds=60)
MAX_LEADS = 200
CATEGORICAL_TYPES = (QuestionType.MCQ, QuestionType.TRUE_FALSE, QuestionType.SHORT_ANSWER)


class IntegrityError(DomainError):
    """Anything the integrity app refuses: a quiz or lead the user may not act on, a bad conclusion."""


def _manageable_quiz(quiz: Quiz, by: User) -> Quiz:
    found = Quiz.objects.manageable_by(by).filter(pk=quiz.pk).first()
    if found is None:
        raise IntegrityError("No such quiz.", status_code=404)
    return found


@dataclass
class QuizResponses:
    attempts: list[QuizAttempt]
    questions: list[QuizQuestion]
    responses: list[list]
    correct: list[list[bool]]
    changed_at: list[list]  # the moment each answer was last changed; None when blank


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def quiz_responses(quiz: Quiz) -> QuizResponses:
    """Each student's latest finished attempt at the quiz and their response to every categorical question. Three
    queries whatever the size of the quiz."""
    questions = [
        qq
        for qq in QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("order_index")
        if qq.question.type in CATEGORICAL_TYPES
    ]
    latest: dict = {}
    for attempt in (
        QuizAttempt.objects.filter(quiz=quiz, status__in=FINISHED_STATUSES)
        .select_related("student__user")
        .order_by("student_id", "-attempt_number")
    ):
        latest.setdefault(attempt.student_id, attempt)
    attempts = sorted(latest.values(), key=lambda a: (a.student.user.name, str(a.pk)))
    row_of = {a.pk: s for s, a in enumerate(attempts)}
    col_of = {qq.question_id: i for i, qq in enumerate(questions)}
    full = [qq.marks for qq in questions]
    k = len(questions)
    responses = [[copying.OMITTED] * k for _ in attempts]
    correct = [[False] * k for _ in attempts]
    changed = [[None] * k for _ in attempts]
    if attempts and questions:
        rows = StudentAnswer.objects.filter(attempt_id__in=list(row_of), question_id__in=list(col_of)).values_list(
            "attempt_id", "question_id", "answer_option", "answer_text", "marks_awarded", "updated_at"
        )
        for attempt_id, question_id, option, text, marks, changed_at in rows:
            s, i = row_of[attempt_id], col_of[question_id]
            if option is not None:
                value = option
            elif text and text.strip():
                value = "t:" + _normalise(text)
            else:
                continue
            responses[s][i] = value
            correct[s][i] = marks is not None and marks >= full[i]
            changed[s][i] = changed_at
    return QuizResponses(attempts, questions, responses, correct, changed)


def _timing(data: QuizResponses, a: int, b: int) -> tuple[int, bool]:
    """How many identical answers the two changed last within TIMING_WINDOW of each other, and whether those were
    changed in the same order (every pair of them in the same order, at least three of them)."""
    near = []
    for i, (u, v) in enumerate(zip(data.responses[a], data.responses[b], strict=True)):
        ta, tb = data.changed_at[a][i], data.changed_at[b][i]
        if u == v and u != copying.OMITTED and ta and tb and abs(ta - tb) <= TIMING_WINDOW:
            near.append((ta, tb))
    near.sort()
    same_order = len(near) >= 3 and all(near[j][1] <= near[j + 1][1] for j in range(len(near) - 1))
    return len(near), same_order


def _violations_near(times_a: list, times_b: list) -> int:
    """How many of a's violations happened within VIOLATION_WINDOW of one of b's."""
    count = 0
    for t in times_a:
        j = bisect.bisect_left(times_b, t - VIOLATION_WINDOW)
        if j < len(times_b) and times_b[j] <= t + VIOLATION_WINDOW:
            count += 1
    return count


def _one_in(p: float) -> str:
    """'1 in 10,000' for p = 0.00004: the largest power of ten that 1/p exceeds (a floor, never an overstatement)."""
    if p <= 0:
        return "1 in 1,000,000,000"
    power = 10
    while power * 10 <= 1 / p and power < 10**9:
        power *= 10
    return f"1 in {power:,}"


def explain(lead: CollusionLead) -> list[str]:
    """The plain-language reasons a teacher reads, one sentence per kind of evidence."""
    lines = [
        f"{lead.matches} identical answers where {lead.expected_matches:.1f} would be expected from two students "
        f"with these scores working alone; {lead.identical_wrong} of them identical wrong answers"
        + (
            f", {lead.rare_matches} of them rare choices (given by at most 1 in 10 of the rest of the class)."
            if lead.rare_matches
            else "."
        ),
        (
            f"The chance of {lead.matches} or more matches by coincidence is below {_one_in(lead.p_value)}."
            if lead.p_value < 0.1
            else f"The chance of {lead.matches} or more matches by coincidence is {lead.p_value:.0%}."
        ),
    ]
    if lead.timing_matches:
        lines.append(
            f"{lead.timing_matches} of the identical answers were last changed within "
            f"{int(TIMING_WINDOW.total_seconds())} s of each other"
            + (", in the same order." if lead.same_order else ".")
        )
    if lead.shared_ip:
        device = " and the same browser" if lead.same_device else ""
        if lead.ip_shared_by <= 2:
            lines.append(f"Same IP address{device}; nobody else taking the quiz used it.")
        else:
            lines.append(
                f"Same IP address{device}, shared by {lead.ip_shared_by} students taking the quiz (a shared school "
                "network says little)."
            )
    if lead.violations_near:
        lines.append(
            f"{lead.violations_near} of their violations happened within a minute of the other student's violations."
        )
    return lines


def _too_small(students: int, items: int) -> str:
    if students < MIN_STUDENTS and items < MIN_ITEMS:
        return (
            f"Only {students} students and {items} multiple-choice or short-answer questions: the copying index needs "
            f"at least {MIN_STUDENTS} students and {MIN_ITEMS} such questions to mean anything, so no pairs are ranked."
        )
    if students < MIN_STUDENTS:
        return (
            f"Only {students} student{'s have' if students != 1 else ' has'} finished: the copying index compares "
            f"each student with the rest of the class and needs at least {MIN_STUDENTS}, so no pairs are ranked."
        )
    if items < MIN_ITEMS:
        return (
            f"Only {items} multiple-choice or short-answer questions: with fewer than {MIN_ITEMS}, agreement by chance "
            "cannot be told from copying, so no pairs are ranked."
        )
    return ""


def collusion_compute(*, quiz: Quiz, by: User | None, run: CollusionRun | None = None) -> CollusionRun:
    """Compute the quiz's collusion leads now (the Celery task and the management of a closed quiz call this; `by`
    None is the system). Replaces the leads of earlier runs; the teachers' conclusions stay."""
    if by is not None:
        quiz = _manageable_quiz(quiz, by)
    started = time.perf_counter()
    data = quiz_responses(quiz)
    n, k = len(data.attempts), len(data.questions)
    with transaction.atomic():
        run = run or CollusionRun(quiz=quiz, requested_by=by)
        run.students, run.items, run.pairs = n, k, n * (n - 1) // 2
        run.too_small = _too_small(n, k)
        leads: list[CollusionLead] = []
        if not run.too_small:
            analysis = copying.analyse(data.responses, data.correct)
            run.lead_threshold = analysis.lead_threshold
            leads = _leads(run, data, analysis)
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.seconds = time.perf_counter() - started
        run.save()
        CollusionLead.objects.filter(run__quiz=quiz).exclude(run=run).delete()
        CollusionRun.objects.filter(quiz=quiz).exclude(pk=run.pk).delete()
        CollusionLead.objects.bulk_create(leads)
        audit_record(
            action="quiz.collusion_compute",
            by=by,
            entity=quiz,
            new={
                "students": n,
                "questions": k,
                "leads": sum(lead.significant for lead in leads),
                "too_small": bool(run.too_small),
            },
        )
    return run


def _leads(run: CollusionRun, data: QuizResponses, analysis: copying.Analysis) -> list[CollusionLead]:
    attempts = data.attempts
    ip_count = Counter(a.ip_address for a in attempts if a.ip_address)
    violation_times: dict = {}
    for attempt_id, at in (
        Violation.objects.filter(attempt__in=attempts).order_by("detected_at").values_list("attempt_id", "detected_at")
    ):
        violation_times.setdefault(attempt_id, []).append(at)
    leads = []
    for e in analysis.evidence:
        a, b = attempts[e.a], attempts[e.b]
        timing, same_order = _timing(data, e.a, e.b)
        shared_ip = bool(a.ip_address) and a.ip_address == b.ip_address
        lead = CollusionLead(
            run=run,
            attempt_a=a,
            attempt_b=b,
            significant=e.p_value < analysis.lead_threshold,
            p_value=e.p_value,
            matches=e.matches,
            expected_matches=e.expected_matches,
            identical_wrong=e.identical_wrong,
            rare_matches=e.rare_matches,
            timing_matches=timing,
            same_order=same_order,
            shared_ip=shared_ip,
            ip_shared_by=ip_count[a.ip_address] if shared_ip else 0,
            same_device=shared_ip and bool(a.user_agent) and a.user_agent == b.user_agent,
            violations_near=_violations_near(violation_times.get(a.pk, []), violation_times.get(b.pk, [])),
        )
        # Weaker agreement is kept only when something else points the same way: an address only these two used,
        # or identical answers changed at the same moments in the same order.
        corroborated = (lead.shared_ip and lead.ip_shared_by <= 2) or lead.same_order
        if lead.significant or (corroborated and e.p_value < 0.01):
            leads.append(lead)
        if len(leads) >= MAX_LEADS:
            break
    for rank, lead in enumerate(leads, start=1):
        lead.rank = rank
        lead.explanation = explain(lead)
    return leads


def collusion_request(*, quiz: Quiz, by: User) -> CollusionRun:
    """A teacher asks for the leads to be computed now: a queued run, computed by a Celery task after commit."""
    quiz = _manageable_quiz(quiz, by)
    with transaction.atomic():
        run = CollusionRun.objects.create(quiz=quiz, requested_by=by)
        run_id = str(run.pk)
        transaction.on_commit(lambda: compute_collusion_leads.delay(run_id), robust=True)
    return run


def closed_quizzes_to_analyse(now=None):
    """Quizzes that closed (end date passed) with finished attempts and no run since they closed."""
    now = now or timezone.now()
    return (
        Quiz.objects.filter(
            end_date__lt=now, end_date__gt=now - timedelta(days=7), attempts__status__in=FINISHED_STATUSES
        )
        .exclude(collusion_runs__created_at__gte=F("end_date"))
        .distinct()
    )


def collusion_analyse_closed(now=None) -> int:
    """The beat task: compute the leads of every quiz that has just closed."""
    count = 0
    for quiz in closed_quizzes_to_analyse(now):
        collusion_compute(quiz=quiz, by=None)
        count += 1
    return count


@shared_task(name="integrity.tasks.compute_collusion_leads", acks_late=True)
def compute_collusion_leads(run_id: str) -> str:
    run = CollusionRun.objects.select_related("quiz", "requested_by").filter(pk=run_id).first()
    if run is None:
        return "gone"
    try:
        collusion_compute(quiz=run.quiz, by=run.requested_by, run=run)
    except Exception as exc:  # noqa: BLE001 - the run records the failure for the teacher's page, then Celery logs it
        CollusionRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(exc)[:2000])
        raise
    return "done"


@transaction.atomic
def lead_conclude(*, lead: CollusionLead, by: User, conclusion: str, note: str = "", request=None) -> LeadConclusion:
    """Record the teacher's conclusion about the pair of students behind a lead (audited, old and new)."""
    lead = (
        CollusionLead.objects.visible_to(by).select_related("run", "attempt_a", "attempt_b").filter(pk=lead.pk).first()
    )
    if lead is None:
        raise IntegrityError("No such lead.", status_code=404)
    if conclusion not in Conclusion.values:
        raise IntegrityError("Choose one of the listed conclusions.")
    note = (note or "").strip()
    if len(note) > 4000:
        raise IntegrityError("The note may be at most 4,000 characters long.")
    a, b = sorted([lead.attempt_a.student_id, lead.attempt_b.student_id], key=str)
    record, _ = LeadConclusion.objects.select_for_update().get_or_create(
        quiz_id=lead.run.quiz_id, student_a_id=a, student_b_id=b, defaults={"decided_by": by}
    )
    old = {"conclusion": record.conclusion, "note": record.note}
    record.conclusion, record.note, record.decided_by, record.decided_at = conclusion, note, by, timezone.now()
    record.save()
    audit_record(
        action="collusion_lead.conclude",
        by=by,
        entity=record,
        old=old,
        new={"conclusion": conclusion, "note": note, "quiz": str(lead.run.quiz_id)},
        request=request,
    )
    return record
