"""Names and Role Provisioning Services: a teacher brings an LMS course's roster into the course's class
(issue 19). Learners are linked or created and put into the class; nobody is ever removed or deleted: people of
the class the LMS no longer lists are named in the report and left alone."""

from __future__ import annotations

from django.db import transaction
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from accounts.models import Student, User
from accounts.services.audit import audit_record
from classrooms.models import SchoolClass
from classrooms.services.roster import class_assign_students
from lti.errors import LtiError
from lti.models import Context, Identity, RosterSync
from lti.services.launch import ROLES, identity_for, role_for
from lti.toolconf import http_session, registration_for


def contexts_for(user):
    """The LMS courses whose class `user` manages (SchoolClass.objects.manageable_by decides)."""
    classes = SchoolClass.objects.manageable_by(user)
    return Context.objects.filter(school_class__in=classes, platform__is_active=True).select_related(
        "platform", "school_class"
    )


def _members(context: Context) -> list[dict]:
    service = NamesRolesProvisioningService(
        ServiceConnector(registration_for(context.platform), http_session()),
        {"context_memberships_url": context.memberships_url, "service_versions": ["2.0"]},
    )
    try:
        return service.get_members()
    except Exception as exc:  # the LMS or the network: a clear message, nothing written
        raise LtiError(
            f"The LMS did not give the roster ({type(exc).__name__}). Try again later.", status_code=502
        ) from exc


@transaction.atomic
def roster_sync(*, context: Context, by: User, request=None) -> RosterSync:
    if not contexts_for(by).filter(pk=context.pk).exists():
        raise LtiError("Only a teacher of the course's class can sync its roster.", status_code=403)
    if not context.memberships_url:
        raise LtiError("This LMS did not offer its roster for this course (no Names and Roles service).")
    school_class = context.school_class
    platform = context.platform
    report = {
        "created": [],
        "linked": [],
        "already_in_class": [],
        "in_another_class": [],
        "not_students": [],
        "skipped": [],
        "not_in_lms": [],
    }
    seen_users = set()
    to_assign = []
    for member in _members(context):
        sub = str(member.get("user_id") or "")
        name = member.get("name") or sub
        if not sub or member.get("status", "Active") != "Active":
            report["skipped"].append(name)
            continue
        claims = {
            "iss": platform.issuer,
            "sub": sub,
            "name": member.get("name"),
            "email": member.get("email"),
            "given_name": member.get("given_name"),
            "family_name": member.get("family_name"),
            ROLES: member.get("roles", []),
        }
        if role_for(claims[ROLES], platform) != "student":
            report["not_students"].append(name)
            continue
        existed = Identity.objects.filter(issuer=platform.issuer, sub=sub).exists()
        try:
            identity = identity_for(platform=platform, claims=claims, school_class=school_class)
        except LtiError as exc:
            report["skipped"].append(f"{name}: {exc}")
            continue
        user = identity.user
        seen_users.add(user.pk)
        student = Student.objects.filter(user=user).first()
        if student is None:
            report["not_students"].append(name)
        elif not existed:
            report["created"].append(user.name)
        elif student.school_class_id == school_class.pk:
            report["already_in_class"].append(user.name)
        elif student.school_class_id is None:
            to_assign.append(student)
            report["linked"].append(user.name)
        else:
            report["in_another_class"].append(user.name)  # a student has one class: never moved silently
    if to_assign:
        class_assign_students(school_class=school_class, students=to_assign, by=by, request=request)
    lti_students = Identity.objects.filter(issuer=platform.issuer, user__student__school_class=school_class)
    report["not_in_lms"] = sorted(lti_students.exclude(user_id__in=seen_users).values_list("user__name", flat=True))
    sync = RosterSync.objects.create(context=context, school_class=school_class, by=by, report=report)
    audit_record(
        action="lti.roster.sync",
        by=by,
        entity=school_class,
        new={k: len(v) for k, v in report.items()} | {"context": context.context_id},
        request=request,
    )
    return sync
