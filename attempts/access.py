"""Issue 17: a quiz's access rules, checked on every request that starts, shows or changes an attempt.

    allowed networks     the client address (quizsite.clientip: X-Forwarded-For only from TRUSTED_PROXIES) must be
                         in one of the quiz's CIDRs (IPv4 or IPv6)
    Safe Exam Browser    X-SafeExamBrowser-ConfigKeyHash = SHA-256(full URL + config key) for one of the quiz's
                         config keys, and X-SafeExamBrowser-RequestHash = SHA-256(full URL + browser exam key) for
                         one of its browser exam keys (each only when the quiz lists such keys), compared in
                         constant time, as Moodle's quizaccess_seb does
    one active session   the first browser to start or resume the attempt gets a token (a cookie, and
                         `session_token` in the API's start response for clients that send X-Exam-Session); any
                         other browser is refused until a teacher releases the attempt

Start, the exam page, submit and violations read the rules from the database. The autosave hot path reads them from
the cache (`attempt_rules`: zero queries when warm; a miss or a cache outage reads the database, so a rule is never
skipped), which start and every session change refresh; a teacher's change of the quiz's rules reaches the save path
within RULES_TTL seconds and the other paths at once.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record
from attempts.errors import AttemptError
from attempts.models import AttemptStatus, QuizAttempt
from quizsite.clientip import client_ip
from quizsite.live import publish_quiz_event

logger = logging.getLogger(__name__)

RULES_TTL = 60
SESSION_COOKIE_PREFIX = "exam_session_"
SESSION_HEADER = "HTTP_X_EXAM_SESSION"
SEB_CONFIG_HEADER = "HTTP_X_SAFEEXAMBROWSER_CONFIGKEYHASH"
SEB_REQUEST_HEADER = "HTTP_X_SAFEEXAMBROWSER_REQUESTHASH"

NETWORK_REFUSED = "This quiz can only be taken from the school's network. Ask your teacher if you think this is wrong."
SEB_REFUSED = (
    "This quiz must be taken in Safe Exam Browser. Open it from the Safe Exam Browser configuration your teacher gave "
    "you; an ordinary browser cannot open it."
)
OTHER_SESSION = (
    "This quiz is already open in another browser or on another device. Answers from here are not accepted; ask your "
    "teacher to release the quiz if you need to switch devices."
)


def _key(attempt_id) -> str:
    return f"exam-access:{attempt_id}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def seb_hash(url: str, key: str) -> str:
    """SHA-256 hex of the full request URL followed by the key (the Safe Exam Browser header's value)."""
    return hashlib.sha256((url + key).encode()).hexdigest()


def rules_of(quiz, attempt: QuizAttempt | None = None) -> dict:
    bypass = attempt is not None and attempt.network_bypass
    return {
        "networks": [] if bypass else list(quiz.allowed_networks or []),
        "seb_config": list(quiz.seb_config_keys or []),
        "seb_bek": list(quiz.seb_browser_exam_keys or []),
        "single": bool(quiz.single_session),
        "session": attempt.session_token_hash if attempt is not None else "",
    }


def _remember(attempt_id, rules: dict) -> None:
    try:
        cache.set(_key(attempt_id), rules, RULES_TTL)
    except Exception:  # a cache outage never fails an exam request: the next read goes to the database
        logger.warning("could not cache the access rules of attempt %s", attempt_id, exc_info=True)


def attempt_rules(attempt_id) -> dict | None:
    """The access rules of an attempt's quiz and its session hash, from the cache or (on a miss) the database."""
    try:
        rules = cache.get(_key(attempt_id))
    except Exception:
        rules = None
    if rules is not None:
        return rules
    row = (
        QuizAttempt.objects.filter(pk=attempt_id)
        .values_list(
            "quiz__allowed_networks",
            "quiz__seb_config_keys",
            "quiz__seb_browser_exam_keys",
            "quiz__single_session",
            "session_token_hash",
            "network_bypass",
        )
        .first()
    )
    if row is None:
        return None
    networks = [] if row[5] else row[0] or []
    rules = {"networks": networks, "seb_config": row[1] or [], "seb_bek": row[2] or [], "single": row[3]}
    rules["session"] = row[4]
    _remember(attempt_id, rules)
    return rules


def _in_networks(address: str | None, networks: list[str]) -> bool:
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    for cidr in networks:
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue  # validated when saved; a bad entry never opens the quiz
        if ip.version == net.version and ip in net:
            return True
    return False


def _seb_ok(request, rules: dict) -> bool:
    url = request.build_absolute_uri()
    for header, keys in ((SEB_CONFIG_HEADER, rules["seb_config"]), (SEB_REQUEST_HEADER, rules["seb_bek"])):
        if not keys:
            continue
        sent = (request.META.get(header) or "").strip().lower()
        # Every key is compared, whatever matched: the time taken says nothing about which key (or how much) matched.
        matched = False
        for key in keys:
            matched |= hmac.compare_digest(sent.encode(), seb_hash(url, key).encode())
        if not matched:
            return False
    return True


def session_token_of(request, attempt_id) -> str:
    return request.META.get(SESSION_HEADER) or request.COOKIES.get(f"{SESSION_COOKIE_PREFIX}{attempt_id}", "")


def _session_ok(request, attempt_id, rules: dict) -> bool:
    if not rules["single"] or not rules["session"]:
        return True
    token = session_token_of(request, attempt_id)
    return bool(token) and hmac.compare_digest(_hash(token), rules["session"])


def check_network_and_seb(request, rules: dict) -> None:
    if rules["networks"] and not _in_networks(client_ip(request), rules["networks"]):
        raise AttemptError(NETWORK_REFUSED, status_code=403, code="network_not_allowed")
    if (rules["seb_config"] or rules["seb_bek"]) and not _seb_ok(request, rules):
        raise AttemptError(SEB_REFUSED, status_code=403, code="seb_required")


NETWORK_PASSWORD_REFUSED = (
    "This quiz can only be taken from the school's network, or with the password your teacher gives."
)


def check_quiz_access(request, quiz, *, network_password: str | None = None) -> bool:
    """Before an attempt exists (the intro page, start): the quiz's network and Safe Exam Browser rules. Outside the
    networks, the quiz's network password (when it has one) lets the student in: returns True when it did."""
    rules = rules_of(quiz)
    bypass = False
    if rules["networks"] and quiz.network_password and not _in_networks(client_ip(request), rules["networks"]):
        given = (network_password or "").strip()
        if not given or not hmac.compare_digest(given.encode(), quiz.network_password.encode()):
            raise AttemptError(NETWORK_PASSWORD_REFUSED, status_code=403, code="network_not_allowed")
        rules["networks"], bypass = [], True
    check_network_and_seb(request, rules)
    return bypass


def _refused(attempt_id, quiz_id, student_id) -> None:
    now = timezone.now()
    QuizAttempt.objects.filter(pk=attempt_id).update(session_refused_at=now)
    publish_quiz_event(
        quiz_id,
        "session_refused",
        {"attempt_id": str(attempt_id), "student_id": str(student_id), "timestamp": now.isoformat()},
    )


def check_attempt_request(request, *, attempt_id, rules: dict | None = None) -> None:
    """THE access check of a request on a running attempt (answer, submit, violations, the exam page): network,
    Safe Exam Browser, and the attempt's one session. Zero queries on the save path when the rules are cached."""
    rules = rules if rules is not None else attempt_rules(attempt_id)
    if rules is None:
        return  # no such attempt: the caller answers 404
    check_network_and_seb(request, rules)
    if not _session_ok(request, attempt_id, rules):
        row = QuizAttempt.objects.filter(pk=attempt_id).values_list("quiz_id", "student_id", "status").first()
        if row and row[2] == AttemptStatus.IN_PROGRESS:
            _refused(attempt_id, row[0], row[1])
        raise AttemptError(OTHER_SESSION, status_code=409, code="other_session")


def claim_session(request, attempt: QuizAttempt) -> str | None:
    """At start or resume: the first browser of a single-session attempt gets its token (returned; the caller sets
    the cookie); the same browser again gets None and passes; another browser is refused (AttemptError 409).
    Network and Safe Exam Browser rules are checked too. Refreshes the cached rules."""
    quiz = attempt.quiz
    rules = rules_of(quiz, attempt)
    check_network_and_seb(request, rules)
    token = None
    if quiz.single_session:
        with transaction.atomic():
            current = (
                QuizAttempt.objects.select_for_update().values_list("session_token_hash", flat=True).get(pk=attempt.pk)
            )
            rules["session"] = current
            if not current:
                token = secrets.token_urlsafe(32)
                rules["session"] = _hash(token)
                QuizAttempt.objects.filter(pk=attempt.pk).update(session_token_hash=rules["session"])
                attempt.session_token_hash = rules["session"]
            elif not _session_ok(request, attempt.pk, rules):
                _refused(attempt.pk, quiz.pk, attempt.student_id)
                raise AttemptError(OTHER_SESSION, status_code=409, code="other_session")
    _remember(attempt.pk, rules)
    return token


def remember_rules(attempt: QuizAttempt) -> None:
    """Warm the save path's copy of the rules (attempts.services.attempt_start calls it)."""
    _remember(attempt.pk, rules_of(attempt.quiz, attempt))


def set_session_cookie(request, response, attempt: QuizAttempt, token: str | None) -> None:
    if token:
        response.set_cookie(
            f"{SESSION_COOKIE_PREFIX}{attempt.pk}",
            token,
            max_age=2 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )


@transaction.atomic
def attempt_release_session(*, attempt: QuizAttempt, by) -> QuizAttempt:
    """A teacher lets the student continue in another browser: the next browser to open the attempt claims it."""
    locked = QuizAttempt.objects.gradable_by(by).select_for_update().filter(pk=attempt.pk).first()
    if locked is None:
        raise AttemptError("Not found.", status_code=404)
    if locked.status != AttemptStatus.IN_PROGRESS:
        raise AttemptError("Only an attempt in progress can be released.", status_code=409)
    old = bool(locked.session_token_hash)
    locked.session_token_hash = ""
    locked.session_refused_at = None
    locked.save(update_fields=["session_token_hash", "session_refused_at"])
    try:
        cache.delete(_key(locked.pk))
    except Exception:
        logger.warning("could not drop the cached access rules of attempt %s", locked.pk, exc_info=True)
    audit_record(action="attempt.release_session", by=by, entity=locked, old={"locked": old}, new={"locked": False})
    publish_quiz_event(
        locked.quiz_id, "session_released", {"attempt_id": str(locked.pk), "student_id": str(locked.student_id)}
    )
    return locked
