"""What a checked launch does here: who the LMS user is, which account, which page (issue 19).

The checks themselves (signature from the platform's JWKS, iss, aud, nonce issued by us, exp/iat, deployment,
message type, version) are pylti1p3's, run in lti.views; this module adds the two the library leaves to the tool
(azp when several audiences, a nonce used once) and everything that follows.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, Student, Teacher, User, normalize_email
from accounts.services.audit import audit_record
from classrooms.services.roster import class_assign_students
from lti.errors import LtiError
from lti.models import Context, Identity, Platform, QuizLink, UsedNonce
from quizzes.models import Quiz

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
CUSTOM = CLAIM + "custom"
RESOURCE_LINK = CLAIM + "resource_link"
DEPLOYMENT = CLAIM + "deployment_id"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
LINK_PARAM = "quizsite_link"  # our custom parameter in every deep-linked resource: the QuizLink's id

TICKET_SECONDS = 120


def role_for(roles: list[str], platform: Platform) -> str:
    """Instructor -> teacher, Learner -> student, Administrator -> admin (only where the admin trusts the LMS with
    that); anything else gets the least privilege, student. Sub-roles (…/Instructor#TeachingAssistant) are not
    their parent role."""
    names = {re.split(r"[#/]", r)[-1] for r in roles or [] if isinstance(r, str)}
    if "Administrator" in names and platform.trust_admin_role:
        return Role.ADMIN
    if "Instructor" in names:
        return Role.TEACHER
    return Role.STUDENT


def check_claims_the_library_leaves(*, platform: Platform, claims: dict) -> None:
    """azp (OIDC core 3.1.3.7: with several audiences, azp must be present and be our client id) and the nonce
    used once. Called only after pylti1p3 has verified the signature, so nothing unsigned is recorded."""
    aud = claims.get("aud")
    azp = claims.get("azp")
    if (isinstance(aud, list) and len(aud) > 1 and not azp) or (azp and azp != platform.client_id):
        raise LtiError("The launch was meant for another tool (azp is not our client id).", code="azp")
    try:
        with transaction.atomic():
            UsedNonce.objects.create(issuer=claims["iss"], nonce=str(claims.get("nonce"))[:255])
    except IntegrityError:
        raise LtiError(
            "This launch was already used (replayed nonce). Start again from your LMS.", code="nonce"
        ) from None


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def _email_for(claims: dict, digest: str) -> str:
    """The LMS's e-mail when it is valid and free, else a placeholder that is never delivered to. An LMS's e-mail
    never links to an existing account: any LMS can claim any address."""
    email = normalize_email(claims.get("email") or "")
    try:
        validate_email(email)
        if not User.objects.filter(email=email).exists():
            return email
    except ValidationError:
        pass
    return f"lti-{digest}@lti.invalid"


def _create_user(*, platform: Platform, claims: dict, role: str, school_class=None) -> User:
    digest = _hash(claims["iss"], claims["sub"])
    name = (claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))).strip()
    user = User(email=_email_for(claims, digest), name=(name or f"LMS user {digest[:6]}")[:255], role=role)
    user.set_unusable_password()
    user.save()
    if role == Role.TEACHER:
        Teacher.objects.create(user=user)
    elif role == Role.STUDENT:
        Student.objects.create(user=user, registration_number=f"LTI-{digest.upper()}", school_class=school_class)
    return user


def identity_for(*, platform: Platform, claims: dict, school_class=None, create: bool | None = None) -> Identity:
    """The account behind (iss, sub): the linked one, or a new one when the admin allowed it. Raises LtiError
    (nothing written) when there is none and none may be made, or when the linked account is deactivated."""
    identity = Identity.objects.select_related("user").filter(issuer=claims["iss"], sub=claims["sub"]).first()
    if identity is not None:
        if not identity.user.is_active:
            raise LtiError("Your account here is deactivated. Ask the school's administrator.", code="inactive")
        return identity
    if not (platform.create_users if create is None else create):
        raise LtiError(
            "Your LMS account is not linked to an account here, and this LMS is not allowed to create accounts. "
            "Ask the school's administrator.",
            code="no_account",
        )
    role = role_for(claims.get(ROLES, []), platform)
    user = _create_user(platform=platform, claims=claims, role=role, school_class=school_class)
    return Identity.objects.create(platform=platform, issuer=claims["iss"], sub=claims["sub"], user=user)


def _context(platform: Platform, claims: dict) -> Context | None:
    ctx = claims.get(CONTEXT) or {}
    if not ctx.get("id"):
        return None
    context, _ = Context.objects.get_or_create(platform=platform, context_id=str(ctx["id"])[:255])
    memberships = (claims.get(NRPS) or {}).get("context_memberships_url") or ""
    changed = []
    if ctx.get("title") and context.title != ctx["title"][:255]:
        context.title = ctx["title"][:255]
        changed.append("title")
    if memberships and context.memberships_url != memberships:
        context.memberships_url = memberships[:1000]
        changed.append("memberships_url")
    if changed:
        context.save(update_fields=changed)
    return context


def _quiz_link(platform: Platform, claims: dict) -> QuizLink | None:
    """The quiz this resource link opens: the QuizLink named by our custom parameter (bound to the resource link
    at its first launch), else the one already bound to this resource link."""
    rlid = str((claims.get(RESOURCE_LINK) or {}).get("id") or "")[:255]
    link_id = (claims.get(CUSTOM) or {}).get(LINK_PARAM)
    link = None
    if link_id:
        try:
            link = QuizLink.objects.select_for_update().filter(platform=platform, pk=link_id).first()
        except ValidationError:
            link = None
    if link is None and rlid:
        link = QuizLink.objects.select_for_update().filter(platform=platform, resource_link_id=rlid).first()
    if link is None:
        return None
    ags = claims.get(AGS) or {}
    changed = []
    if rlid and not link.resource_link_id:
        link.resource_link_id = rlid
        changed.append("resource_link_id")
    if ags.get("lineitem") and ags["lineitem"] != link.lineitem_url:
        link.lineitem_url = ags["lineitem"][:1000]
        changed.append("lineitem_url")
    if ags.get("scope") and ags["scope"] != link.ags_scopes:
        link.ags_scopes = list(ags["scope"])
        changed.append("ags_scopes")
    if changed:
        link.save(update_fields=changed)
    return link


@dataclass
class Accepted:
    user: User
    destination: str  # where the continue link goes
    title: str  # what the landing page names
    ticket: str = ""
    deep_linking: bool = False


@transaction.atomic
def launch_accept(*, platform: Platform, claims: dict, request=None) -> Accepted:
    """A resource-link or deep-linking launch pylti1p3 has validated: match or create the user, bind the resource
    link and line item, put a learner into the course's class, and say where they land. All or nothing."""
    message_type = claims.get(MESSAGE_TYPE)
    context = _context(platform, claims)
    deep_linking = message_type == "LtiDeepLinkingRequest"
    if deep_linking and role_for(claims.get(ROLES, []), platform) == Role.STUDENT:
        raise LtiError("Only teachers can add quizzes to a course.", status_code=403, code="learner_deep_link")
    link = None if deep_linking else _quiz_link(platform, claims)
    school_class = context.school_class if context else None
    identity = identity_for(platform=platform, claims=claims, school_class=school_class)
    user = identity.user
    identity.last_launch_at = timezone.now()
    identity.save(update_fields=["last_launch_at"])
    if link is not None and user.is_student and school_class is not None:
        student = user.student
        if student.school_class_id is None and link.created_by is not None and link.created_by.is_active:
            # The teacher who placed the quiz in the course puts its learners into the course's class, through
            # the roster's own rule (a student already in a class stays there).
            class_assign_students(school_class=school_class, students=[student], by=link.created_by, request=request)

    if deep_linking:
        destination, title = "", "Choose a quiz for your course"
    elif link is None:
        destination = reverse("home")
        title = "This LMS activity is not linked to a quiz yet" if user.is_student else "Quizsite"
    elif user.is_student:
        destination, title = reverse("attempts:intro", args=[link.quiz_id]), link.quiz.title
    elif Quiz.objects.manageable_by(user).filter(pk=link.quiz_id).exists():
        destination, title = reverse("quizzes:detail", args=[link.quiz_id]), link.quiz.title
    else:
        destination, title = reverse("home"), link.quiz.title
    audit_record(
        action="lti.launch",
        by=user,
        entity=identity,
        new={
            "platform": platform.name,
            "message_type": message_type,
            "deployment_id": claims.get(DEPLOYMENT),
            "resource_link": (claims.get(RESOURCE_LINK) or {}).get("id"),
            "quiz_id": str(link.quiz_id) if link else None,
        },
        request=request,
    )
    accepted = Accepted(user=user, destination=destination, title=title, deep_linking=deep_linking)
    if not deep_linking:
        accepted.ticket = ticket_issue(user=user, destination=destination)
    return accepted


def launch_refused(*, reason: str, claims: dict | None = None, request=None) -> None:
    """The audit row of a refused launch (nothing else is written)."""
    claims = claims or {}
    audit_record(
        action="lti.launch_refused",
        entity_type="lti_launch",
        new={
            "reason": reason[:500],
            "iss": str(claims.get("iss", ""))[:500],
            "sub": str(claims.get("sub", ""))[:255],
            "message_type": str(claims.get(MESSAGE_TYPE, ""))[:100],
        },
        request=request,
    )


# --- the first-party hop ---------------------------------------------------------------------------------------
# The launch arrives in the LMS's iframe, where our session cookie (SameSite=Lax) is a third-party cookie the
# browser will not keep. So the launch does not sign anyone in: it hands out a one-time ticket, and the page it
# opens (in a new window, or the same one when the LMS opened us in a window) signs in first-party.


def ticket_issue(*, user: User, destination: str) -> str:
    ticket = secrets.token_urlsafe(32)
    cache.set(f"lti:ticket:{ticket}", {"user": str(user.pk), "to": destination}, TICKET_SECONDS)
    return ticket


def ticket_redeem(ticket: str) -> tuple[User, str] | None:
    """The ticket's user and destination, once: a second redeem, an expired or unknown ticket give None."""
    key = f"lti:ticket:{ticket}"
    data = cache.get(key)
    if not data or not cache.delete(key):
        return None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return (user, data["to"]) if user else None


# --- linking an existing account ---------------------------------------------------------------------------------
# An LMS user with no account here (and an LMS not allowed to create one) may link the account they already have:
# the refused launch hands out a one-use link ticket (the LMS vouched for who they are there), and they prove who
# they are here by signing in. Only the role the LMS gives may be linked (an LMS Learner links a student account,
# never a teacher's), so a link sent to someone else cannot raise anyone's access.

LINK_TICKET_SECONDS = 600


def link_ticket_issue(*, platform: Platform, claims: dict) -> str:
    ticket = secrets.token_urlsafe(32)
    cache.set(
        f"lti:link:{ticket}",
        {
            "platform": str(platform.pk),
            "iss": claims["iss"],
            "sub": claims["sub"],
            "name": str(claims.get("name") or claims.get("email") or claims["sub"])[:255],
            "role": role_for(claims.get(ROLES, []), platform),
        },
        LINK_TICKET_SECONDS,
    )
    return ticket


def link_ticket(ticket: str) -> dict | None:
    return cache.get(f"lti:link:{ticket}")


@transaction.atomic
def identity_link(*, ticket: str, by: User, request=None) -> Identity:
    data = link_ticket(ticket)
    if not data or not cache.delete(f"lti:link:{ticket}"):
        raise LtiError("This link has expired or was already used. Launch the activity from your LMS again.")
    platform = Platform.objects.filter(pk=data["platform"], is_active=True).first()
    if platform is None:
        raise LtiError("This LMS is no longer registered here.")
    if by.role != data["role"]:
        raise LtiError(
            f"Your LMS gives you the role “{data['role']}”; sign in with an account of that role to link it.",
            status_code=403,
        )
    if Identity.objects.filter(issuer=data["iss"], sub=data["sub"]).exists():
        raise LtiError("This LMS user is already linked to an account here.", status_code=409)
    identity = Identity.objects.create(platform=platform, issuer=data["iss"], sub=data["sub"], user=by)
    audit_record(
        action="lti.identity.link",
        by=by,
        entity=identity,
        new={"platform": platform.name, "sub": data["sub"], "lms_name": data["name"]},
        request=request,
    )
    return identity
