"""Deep linking: a teacher picks one of their quizzes in the LMS's "add activity" picker; the LMS gets a signed
resource link with a gradebook line item whose maximum is the quiz's total (issue 19)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from accounts.models import User
from accounts.services.audit import audit_record
from classrooms.models import SchoolClass
from lti.errors import LtiError
from lti.models import Context, Platform, QuizLink
from lti.services.launch import DEEP_LINKING_SETTINGS, DEPLOYMENT, LINK_PARAM
from lti.toolconf import registration_for
from quizzes.models import Quiz

PICKER_SECONDS = 30 * 60


def quiz_total(quiz: Quiz) -> int:
    # Issue 16: each random slot adds `count` questions worth `marks` to every attempt.
    slots = sum(slot.count * slot.marks for slot in quiz.slots.all())
    return sum(qq.marks for qq in quiz.quiz_questions.select_related("question")) + slots


def picker_open(*, platform: Platform, user: User, claims: dict, context: Context | None) -> str:
    """Keep what the answer to this deep-linking request needs, under a one-use token for the picker's form (the
    picker runs in the LMS's iframe, where neither our session nor our CSRF cookie is available)."""
    token = secrets.token_urlsafe(32)
    cache.set(
        f"lti:dl:{token}",
        {
            "platform": str(platform.pk),
            "user": str(user.pk),
            "deployment_id": claims.get(DEPLOYMENT),
            "settings": claims.get(DEEP_LINKING_SETTINGS) or {},
            "context": str(context.pk) if context else None,
        },
        PICKER_SECONDS,
    )
    return token


def picker_state(token: str) -> dict | None:
    return cache.get(f"lti:dl:{token}")


@dataclass
class DeepLinkAnswer:
    link: QuizLink
    jwt: str
    return_url: str


@transaction.atomic
def deep_link_create(
    *, token: str, quiz_id: str, class_id: str | None, launch_url: str, request=None
) -> DeepLinkAnswer:
    state = picker_state(token)
    if not state or not cache.delete(f"lti:dl:{token}"):
        raise LtiError("This page has expired. Open the picker again from your LMS.", code="expired")
    by = User.objects.filter(pk=state["user"], is_active=True).first()
    platform = Platform.objects.filter(pk=state["platform"], is_active=True).first()
    if by is None or platform is None or not by.is_teacher_or_admin:
        raise LtiError("Only teachers can add quizzes to a course.", status_code=403)
    quiz = Quiz.objects.manageable_by(by).filter(pk=quiz_id).first()
    if quiz is None:
        raise LtiError("Choose one of your quizzes.", status_code=404)
    context = Context.objects.filter(pk=state["context"]).first() if state["context"] else None
    if class_id:
        school_class = SchoolClass.objects.manageable_by(by).filter(pk=class_id).first()
        if school_class is None:
            raise LtiError("Choose one of your classes.", status_code=404)
        if context is not None and context.school_class_id != school_class.pk:
            context.school_class = school_class
            context.save(update_fields=["school_class"])
    link = QuizLink.objects.create(
        platform=platform, deployment_id=state["deployment_id"] or "", context=context, quiz=quiz, created_by=by
    )
    total = quiz_total(quiz)
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(quiz.title)
        .set_custom_params({LINK_PARAM: str(link.pk)})
        .set_lineitem(LineItem().set_score_maximum(total).set_label(quiz.title).set_resource_id(str(quiz.pk)))
    )
    settings = state["settings"]
    jwt_value = DeepLink(registration_for(platform), state["deployment_id"], settings).get_response_jwt([resource])
    audit_record(
        action="lti.deep_link",
        by=by,
        entity=link,
        new={"quiz_id": str(quiz.pk), "platform": platform.name, "score_maximum": total},
        request=request,
    )
    return DeepLinkAnswer(link=link, jwt=jwt_value, return_url=settings.get("deep_link_return_url", ""))
