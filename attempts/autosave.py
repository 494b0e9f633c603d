"""The autosave path's storage: the exam's hot path, hand-tuned (attempts.services.answers_save drives it).

A save is two statements on PostgreSQL: `attempt_for_save` reads the attempt with just what a save needs (one
hand-written SELECT: compiling the equivalent select_related + only() query cost ~1 ms of CPU per save under load),
and `upsert_answers` writes the batch with one locked, conditional INSERT .. ON CONFLICT in autocommit. Answers are
validated against the question types fixed at start (attempt.question_meta), so no question is read either.
The query count is pinned by attempts/tests/test_hot_path.py.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import connection, transaction

from attempts.errors import AttemptError
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from attempts.selectors import question_options
from quizzes import types as question_types
from quizzes.models import OPTION_TYPES, Question, Quiz

MAX_ANSWER_TEXT = 50_000
MAX_BATCH = 200
MAX_CLIENT_SEQ = 2**62

# (question_id, ORIGINAL option index, text, client_seq)
Row = tuple[str, int | None, str | None, int | None]


def _clean_answer(item: Any, meta: dict, option_order: dict) -> Row:
    """Validate one answer against its question's type. Returns (question_id, original option, text, seq)."""
    if not isinstance(item, dict):
        raise AttemptError("Each answer must be an object.")
    try:
        qid = str(uuid.UUID(str(item.get("question_id"))))
    except (TypeError, ValueError, AttributeError):
        raise AttemptError("question_id: a valid question id is required.") from None
    info = meta.get(qid)
    if info is None:
        raise AttemptError("question_id: this question is not part of the quiz.")
    seq = item.get("client_seq")
    if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_CLIENT_SEQ):
        raise AttemptError("client_seq: must be a non-negative integer.")
    option, text = item.get("answer_option"), item.get("answer_text")
    module = question_types.module_for(info["type"])
    if module is not None:
        # Issue 15's types: a structured `response` (numeric: the typed text), validated by the type's module
        # against the shape fixed at start; stored as its canonical JSON in answer_text (quizzes/types).
        if option is not None:
            raise AttemptError("answer_option: this question is answered with `response`.")
        response = item.get("response")
        if response is None and text not in (None, ""):
            response = text if info["type"] not in question_types.STRUCTURED_TYPES else question_types.base.decode(text)
            if response is None:
                raise AttemptError("answer_text: this question is answered with `response`.")
        try:
            response = module.clean_response(response, info, option_order.get(qid))
        except question_types.ResponseError as exc:
            raise AttemptError(str(exc)) from None
        if response is not None and info["type"] in question_types.STRUCTURED_TYPES:
            response = question_types.base.encode(response)
        if response is not None and len(response) > MAX_ANSWER_TEXT:
            raise AttemptError(f"response: at most {MAX_ANSWER_TEXT} characters.")
        return qid, None, response, seq
    if item.get("response") is not None:
        raise AttemptError("response: only the multiple-response, numeric, matching, ordering and cloze types.")
    if info["type"] in OPTION_TYPES:
        if text not in (None, ""):
            raise AttemptError("answer_text: this question is answered by choosing an option (answer_option).")
        if option is not None:
            if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < info["options"]:
                raise AttemptError(f"answer_option: must be an option index from 0 to {info['options'] - 1}.")
            perm = option_order.get(qid)
            if perm:  # the student saw a shuffled list: store the ORIGINAL index
                option = perm[option]
        return qid, option, None, seq
    if option is not None:
        raise AttemptError("answer_option: this question is answered with text (answer_text).")
    if text is not None:
        if not isinstance(text, str):
            raise AttemptError("answer_text: must be a string.")
        if len(text) > MAX_ANSWER_TEXT:
            raise AttemptError(f"answer_text: at most {MAX_ANSWER_TEXT} characters.")
        text = text.replace("\x00", "")
    return qid, None, text, seq


def question_meta_of(question: Question) -> dict:
    """What a save checks an answer against: the question's type and how many options it offers (issue 15's
    types add what their answers may name: quizzes.types.<module>.meta)."""
    meta = {
        "type": question.type,
        "options": len(question_options(question)) if question.type in OPTION_TYPES else 0,
    }
    module = question_types.module_for(question.type)
    if module is not None:
        meta.update(module.meta(question))
    return meta


def question_meta(attempt: QuizAttempt) -> dict:
    """{question_id: question_meta_of(question)}, fixed at start (attempt.question_meta)."""
    if attempt.question_meta:
        return attempt.question_meta
    # Attempts created before question_meta existed (or written by hand: demo data, factories): one extra query.
    questions = Question.objects.filter(quiz_links__quiz_id=attempt.quiz_id).only("id", "type", "options")
    return {str(q.id): question_meta_of(q) for q in questions}


def clean_answers(attempt: QuizAttempt, answers: list) -> dict[str, Row]:
    """The batch validated against the attempt's questions, one row per question: {question_id: (question_id,
    original option, text, client_seq)}. Two saves of one question in one batch: the newer wins (a statement may
    touch a row only once)."""
    meta = question_meta(attempt)
    cleaned: dict[str, Row] = {}
    for item in answers:
        qid, option, text, seq = _clean_answer(item, meta, attempt.option_order or {})
        previous = cleaned.get(qid)
        if previous is None or seq is None or previous[3] is None or seq >= previous[3]:
            cleaned[qid] = (qid, option, text, seq)
    return cleaned


_UPSERT_CONFLICT = """
ON CONFLICT (attempt_id, question_id) DO UPDATE SET
    answer_text = EXCLUDED.answer_text,
    answer_option = EXCLUDED.answer_option,
    client_seq = COALESCE(EXCLUDED.client_seq, student_answers.client_seq),
    updated_at = EXCLUDED.updated_at
WHERE EXCLUDED.client_seq IS NULL
    OR student_answers.client_seq IS NULL
    OR EXCLUDED.client_seq >= student_answers.client_seq
RETURNING question_id
"""

# PostgreSQL: one statement, run in autocommit (no BEGIN/COMMIT round trips). The first CTE locks the attempt
# row FOR NO KEY UPDATE *only if it is still in progress*: a submit holding FOR UPDATE makes it wait, and once the
# submit commits the re-check finds the attempt finished, nothing is written and `open` is 0. A save that wrote
# has committed before a later submit can lock the row, so the submit grades it.
_UPSERT_PG = """
WITH open_attempt AS (
    SELECT id FROM quiz_attempts WHERE id = %s AND status = 'in_progress' FOR NO KEY UPDATE
), written AS (
    INSERT INTO student_answers
        (id, attempt_id, question_id, answer_text, answer_option, feedback, is_final, client_seq, answered_at,
         updated_at)
    SELECT v.id, open_attempt.id, v.question_id, v.answer_text, v.answer_option, '', FALSE, v.client_seq, v.ts, v.ts
    FROM (VALUES {values}) AS v (id, question_id, answer_text, answer_option, client_seq, ts)
    CROSS JOIN open_attempt
    {conflict}
)
SELECT (SELECT count(*) FROM open_attempt), ARRAY(SELECT question_id FROM written)
"""
_PG_ROW = "(%s::uuid, %s::uuid, %s::text, %s::integer, %s::bigint, %s::timestamptz)"

_UPSERT_GENERIC = """
INSERT INTO student_answers
    (id, attempt_id, question_id, answer_text, answer_option, feedback, is_final, client_seq, answered_at, updated_at)
VALUES {values}
{conflict}
"""


def upsert_answers(attempt_id, rows: list[Row], now) -> tuple[bool, set[str]]:
    """Write the answers with INSERT .. ON CONFLICT DO UPDATE; an older client_seq leaves the stored answer
    alone (the WHERE runs inside the statement, so two racing saves cannot interleave a read and a write).
    Returns (attempt still open, ids of the questions whose answer was written)."""
    if connection.vendor == "postgresql":
        params: list[Any] = [attempt_id]
        for qid, option, text, seq in rows:
            params += [uuid.uuid4(), uuid.UUID(qid), text, option, seq, now]
        sql = _UPSERT_PG.format(values=", ".join([_PG_ROW] * len(rows)), conflict=_UPSERT_CONFLICT.strip())
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            opened, written = cursor.fetchone()
        return bool(opened), {str(q) for q in written or []}
    # SQLite (make run): its transactions take the write lock at BEGIN (transaction_mode IMMEDIATE), so the
    # status check and the upsert below cannot interleave with a submit.
    field = StudentAnswer._meta.get_field
    prep_id, prep_fk, prep_q = field("id"), field("attempt"), field("question")
    stamp = field("updated_at").get_db_prep_value(now, connection)
    params = []
    for qid, option, text, seq in rows:
        params += [
            prep_id.get_db_prep_value(uuid.uuid4(), connection),
            prep_fk.get_db_prep_value(attempt_id, connection),
            prep_q.get_db_prep_value(uuid.UUID(qid), connection),
            text,
            option,
            "",
            False,
            seq,
            stamp,
            stamp,
        ]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with transaction.atomic():
        qs = QuizAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.IN_PROGRESS)
        if connection.features.has_select_for_update:
            qs = qs.select_for_update()
        if not qs.values_list("pk", flat=True).first():
            return False, set()
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT_GENERIC.format(values=values, conflict=_UPSERT_CONFLICT.strip()), params)
            return True, {str(uuid.UUID(str(r[0]))) for r in cursor.fetchall()}


_SAVE_ATTEMPT_FIELDS = ["id", "status", "deadline", "quiz_id", "student_id", "question_order", "option_order",
                        "question_meta"]  # fmt: skip
# The same columns the ORM query below reads, without compiling a select_related + only() query on every save
# (profiling under load: ~1 ms of CPU per save, most of it in Query._get_only_select_mask).
_SAVE_ATTEMPT_PG = """
SELECT a.id, a.status, a.deadline, a.quiz_id, a.student_id, a.question_order::text, a.option_order::text,
       a.question_meta::text, q.grace_period_seconds
FROM "quiz_attempts" a JOIN "quizzes" q ON q.id = a.quiz_id
WHERE a.id = %s AND (%s::uuid IS NULL OR a.student_id = %s::uuid)
"""


def attempt_for_save(attempt_id, student_id) -> QuizAttempt | None:
    """The attempt with just what a save needs (status, deadline, question meta, the quiz's grace), or None."""
    if connection.vendor != "postgresql":
        qs = QuizAttempt.objects.select_related("quiz").only(*_SAVE_ATTEMPT_FIELDS, "quiz__grace_period_seconds")
        if student_id is not None:
            qs = qs.filter(student_id=student_id)
        return qs.filter(pk=attempt_id).first()
    try:
        attempt_uuid = uuid.UUID(str(attempt_id))
    except ValueError:
        return None
    sid = uuid.UUID(str(student_id)) if student_id is not None else None
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_ATTEMPT_PG, [attempt_uuid, sid, sid])
        row = cursor.fetchone()
    if row is None:
        return None
    return _attempt_from_row(row)


def _attempt_from_row(row) -> QuizAttempt:
    by_name = dict(zip(_SAVE_ATTEMPT_FIELDS, [*row[:5], *(json.loads(v) if v is not None else None for v in row[5:8])],
                       strict=True))  # fmt: skip
    # from_db takes the loaded values in the model's field order.
    names = [f.attname for f in QuizAttempt._meta.concrete_fields if f.attname in by_name]
    attempt = QuizAttempt.from_db(connection.alias, names, [by_name[n] for n in names])
    quiz_names = [f.attname for f in Quiz._meta.concrete_fields if f.attname in ("id", "grace_period_seconds")]
    quiz_values = {"id": row[3], "grace_period_seconds": row[8]}
    attempt.quiz = Quiz.from_db(connection.alias, quiz_names, [quiz_values[n] for n in quiz_names])
    return attempt


# (issue 14) The token's user and the attempt in ONE statement: what authentication needs of the user (active,
# role, password hash for the token's fingerprint, name for the board) and what a save needs of the attempt, the
# attempt only if it is this user's (another student's attempt reads as absent: "not found").
_SAVE_USER_ATTEMPT_PG = """
SELECT u.is_active, u.role, u.password_hash, u.name,
       a.id, a.status, a.deadline, a.quiz_id, a.student_id, a.question_order::text, a.option_order::text,
       a.question_meta::text, q.grace_period_seconds
FROM "users" u
LEFT JOIN "quiz_attempts" a ON a.id = %s AND a.student_id = u.id
LEFT JOIN "quizzes" q ON q.id = a.quiz_id
WHERE u.id = %s
"""


def user_and_attempt_for_save(user_id, attempt_id) -> tuple[dict, QuizAttempt | None] | None:
    """PostgreSQL only: ({is_active, role, password, name}, the user's attempt or None), or None when no such
    user. attempts.api.fastsave checks the token against the user part."""
    try:
        user_uuid, attempt_uuid = uuid.UUID(str(user_id)), uuid.UUID(str(attempt_id))
    except ValueError:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_USER_ATTEMPT_PG, [attempt_uuid, user_uuid])
        row = cursor.fetchone()
    if row is None:
        return None
    user = {"is_active": row[0], "role": row[1], "password": row[2], "name": row[3]}
    return user, (_attempt_from_row(row[4:]) if row[4] is not None else None)
