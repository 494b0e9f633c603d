"""LTI pages: the admin's registration page, the JWKS, the OIDC login and launch, the first-party hop, the
deep-linking picker, the grade passback status and the roster sync (issue 19).

The login, launch and picker are posted to by the LMS (or from inside its iframe), where our CSRF cookie cannot
exist: they are csrf_exempt and protected instead by what the LTI flow carries (the OIDC state and nonce, the
signed id_token, a one-use random token for the picker). Only they may be framed, and only by their platform.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.exception import LtiException, OIDCException

from classrooms.models import SchoolClass
from lti.cookies import LtiCookieService
from lti.errors import LtiError
from lti.forms import DeepLinkForm, PlatformForm
from lti.launching import CachedJwksMessageLaunch
from lti.models import Context, GradeSync, Platform, QuizLink, ToolKey
from lti.services import deep_linking, dynamic, grades, keys, launch, registration, roster
from lti.tasks import send_grade
from lti.toolconf import DbToolConf, http_session
from quizsite.pages import admin_required, apply_errors, show_error, staff_required
from quizzes.models import Quiz

logger = logging.getLogger(__name__)
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


def tool_urls(request) -> dict:
    """What the admin pastes into the LMS. One launch URL serves resource links and deep linking."""
    absolute = request.build_absolute_uri
    launch_url = absolute(reverse("lti:launch"))
    return {
        "login": absolute(reverse("lti:login")),
        "launch": launch_url,
        "deep_linking": launch_url,
        "jwks": absolute(reverse("lti:jwks")),
        "redirect_uris": [launch_url],
    }


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def _frameable(response, platform: Platform | None, *, form_action: str = ""):
    """Let the LMS (and only it) frame this page, and post to its deep-link return URL when there is one."""
    if platform is None:
        return response
    ancestors = sorted({o for o in (_origin(platform.issuer), _origin(platform.auth_login_url)) if o})
    response.xframe_options_exempt = True
    replace = {"frame-ancestors": ancestors or ["'none'"]}
    if form_action:
        replace["form-action"] = ["'self'", form_action]
    response._csp_replace = replace
    return response


def _refusal(
    request, reason: str, *, status: int = 403, claims: dict | None = None, retry_url: str = "", link_url: str = ""
):
    """The refusal page, framed by the LMS the (possibly unverified) token names when that LMS is registered here:
    a refusal inside the LMS's iframe must be readable, and it holds nothing but its reason."""
    launch.launch_refused(reason=reason, claims=claims, request=request)
    context = {"reason": reason, "retry_url": retry_url, "link_url": link_url}
    response = render(request, "lti/refused.html", context, status=status)
    issuer = str((claims or {}).get("iss") or "")
    return _frameable(response, Platform.objects.filter(issuer=issuer, is_active=True).first() if issuer else None)


# --- admin: registration ---------------------------------------------------------------------------------------


@admin_required
def registrations(request):
    key = keys.current_key()
    return render(
        request,
        "lti/registrations.html",
        {
            "urls": tool_urls(request),
            "platforms": Platform.objects.manageable_by(request.user).prefetch_related("deployments"),
            "key": key,
            "published": ToolKey.objects.published(),
            "registration_url": request.session.pop("lti_registration_url", ""),
        },
    )


@admin_required
def registration_edit(request, pk=None):
    platform = get_object_or_404(Platform.objects.manageable_by(request.user), pk=pk) if pk else None
    initial = (
        {"deployment_ids": "\n".join(platform.deployments.values_list("deployment_id", flat=True))} if platform else {}
    )
    form = PlatformForm(request.POST or None, instance=platform, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in registration.PLATFORM_FIELDS}
        try:
            registration.platform_save(
                by=request.user,
                platform=platform,
                request=request,
                deployment_ids=registration.parse_deployment_ids(form.cleaned_data["deployment_ids"]),
                **values,
            )
        except (LtiError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The LMS registration is saved.")
            return redirect("lti:registrations")
    return render(
        request, "lti/registration_form.html", {"form": form, "platform": platform, "urls": tool_urls(request)}
    )


@admin_required
@require_POST
def key_rotate(request):
    try:
        keys.key_rotate(by=request.user, request=request)
    except LtiError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "A new key signs from now on; the old one stays published for a day.")
    return redirect("lti:registrations")


@admin_required
@require_POST
def dynamic_registration_issue(request):
    try:
        token = dynamic.registration_url_issue(by=request.user, request=request)
    except LtiError as exc:
        show_error(request, exc)
        return redirect("lti:registrations")
    request.session["lti_registration_url"] = request.build_absolute_uri(reverse("lti:dynamic", args=[token]))
    messages.success(request, "Paste the registration URL into your LMS within the hour. It works once.")
    return redirect("lti:registrations")


@require_GET
def dynamic_registration(request, token):
    """The LMS opens this (in its iframe or a window) with ?openid_configuration=...&registration_token=..."""
    config_url = request.GET.get("openid_configuration", "")
    if not dynamic.registration_token_valid(token):
        return render(
            request,
            "lti/refused.html",
            {"reason": "This registration link has expired or was already used. Create a new one on the LTI page."},
            status=403,
        )
    try:
        platform = dynamic.dynamic_register(
            token=token,
            openid_configuration=config_url,
            request=request,
            registration_token=request.GET.get("registration_token", ""),
            urls=tool_urls(request),
        )
    except LtiError as exc:
        return render(request, "lti/refused.html", {"reason": str(exc)}, status=exc.status_code)
    response = render(request, "lti/registered.html", {"platform": platform})
    response.xframe_options_exempt = True
    origin = _origin(platform.issuer)
    response._csp_replace = {"frame-ancestors": sorted({origin, _origin(config_url)} - {""}) or ["'none'"]}
    return response


@require_GET
def jwks(request):
    return JsonResponse(keys.jwks())


# --- OIDC login and launch -------------------------------------------------------------------------------------


@csrf_exempt
def oidc_login(request):
    lti_request = DjangoRequest(request)
    conf = DbToolConf()
    oidc = DjangoOIDCLogin(
        lti_request, conf, cookie_service=LtiCookieService(lti_request), launch_data_storage=DjangoCacheDataStorage()
    )
    try:
        redirect_obj = oidc.get_redirect_object(request.build_absolute_uri(reverse("lti:launch")))
    except (OIDCException, LtiException) as exc:
        claims = {"iss": lti_request.get_param("iss") or ""}
        return _refusal(request, f"This LMS is not registered here ({exc}).", status=400, claims=claims)
    url = redirect_obj.get_redirect_url()
    state = (parse_qs(urlsplit(url).query).get("state") or [""])[0]
    # For the new-window fallback: the same login again, top-level, if the iframe loses the state cookie.
    params = {k: lti_request.get_param(k) for k in LOGIN_PARAMS if lti_request.get_param(k)}
    cache.set(f"lti:login:{state}", params, 600)
    return redirect_obj.do_redirect()


def _unverified(token: str) -> dict:
    """The token's claims for the audit row of a refusal only (never trusted for anything else)."""
    try:
        return jwt.decode(token or "", options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


@csrf_exempt
@require_POST
def launch_view(request):
    lti_request = DjangoRequest(request, post_only=True)
    conf = DbToolConf()
    unverified = _unverified(request.POST.get("id_token", ""))
    try:
        message = CachedJwksMessageLaunch(
            lti_request,
            conf,
            cookie_service=LtiCookieService(lti_request),
            launch_data_storage=DjangoCacheDataStorage(),
            requests_session=http_session(),
        )
        claims = dict(message.get_launch_data())
    except LtiException as exc:
        reason = str(exc)
        retry = ""
        if "State not found" in reason or "cookie" in reason:
            params = cache.get(f"lti:login:{request.POST.get('state', '')}")
            if params:
                retry = reverse("lti:login") + "?" + urlencode({**params, "lti1p3_new_window": "1"})
            reason = "Your browser blocked the cookie this launch needs inside the LMS frame."
        return _refusal(request, f"The launch could not be verified: {reason}", claims=unverified, retry_url=retry)
    except Exception as exc:  # a malformed token or an unreachable JWKS: refused, never a 500
        logger.warning("LTI launch failed: %s", exc, exc_info=True)
        return _refusal(request, "The launch could not be verified.", claims=unverified)
    platform = conf.platform
    try:
        launch.check_claims_the_library_leaves(platform=platform, claims=claims)
        accepted = launch.launch_accept(platform=platform, claims=claims, request=request)
    except LtiError as exc:
        link = ""
        if exc.code == "no_account":
            link = reverse("lti:link", args=[launch.link_ticket_issue(platform=platform, claims=claims)])
        return _refusal(request, str(exc), status=403, claims=claims, link_url=link)
    if accepted.deep_linking:
        ctx = (claims.get(launch.CONTEXT) or {}).get("id")
        context = Context.objects.filter(platform=platform, context_id=ctx).first() if ctx else None
        return _picker(
            request,
            platform,
            accepted.user,
            deep_linking.picker_open(platform=platform, user=accepted.user, claims=claims, context=context),
        )
    response = render(
        request,
        "lti/landing.html",
        {"title": accepted.title, "go": reverse("lti:go", args=[accepted.ticket]), "person": accepted.user},
    )
    return _frameable(response, platform)


def _picker(request, platform, user, token, form=None, status=200):
    quizzes = Quiz.objects.manageable_by(user).order_by("title")
    classes = SchoolClass.objects.manageable_by(user).order_by("name")
    form = form or DeepLinkForm(quizzes=quizzes, classes=classes)
    response = render(
        request, "lti/deep_link_picker.html", {"form": form, "token": token, "person": user}, status=status
    )
    return _frameable(response, platform)


@require_GET
def go(request, ticket):
    """The first-party hop: a one-use ticket from a launch signs its user in here and opens their page."""
    redeemed = launch.ticket_redeem(ticket)
    if redeemed is None:
        return render(
            request,
            "lti/refused.html",
            {"reason": "This link was already used or has expired. Open the activity again from your LMS."},
            status=410,
        )
    user, destination = redeemed
    auth_login(request, user, backend="accounts.backends.EmailOrRegistrationNumberBackend")
    return HttpResponseRedirect(destination)


@login_required
def link_account(request, ticket):
    """First-party (a new window): the signed-in user links the LMS user of a refused launch to their account."""
    data = launch.link_ticket(ticket)
    if request.method == "POST":
        try:
            identity = launch.identity_link(ticket=ticket, by=request.user, request=request)
        except LtiError as exc:
            show_error(request, exc)
        else:
            messages.success(request, f"Linked to {identity.platform.name}. Open the activity from your LMS again.")
            return redirect("home")
        data = launch.link_ticket(ticket)
    return render(request, "lti/link_account.html", {"data": data})


@csrf_exempt
@require_POST
def deep_link_submit(request):
    token = request.POST.get("token", "")
    state = deep_linking.picker_state(token)
    platform = Platform.objects.filter(pk=state["platform"]).first() if state else None
    try:
        answer = deep_linking.deep_link_create(
            token=token,
            quiz_id=request.POST.get("quiz", ""),
            class_id=request.POST.get("school_class") or None,
            launch_url=request.build_absolute_uri(reverse("lti:launch")),
            request=request,
        )
    except (LtiError, ValidationError) as exc:
        return _refusal(
            request,
            str(exc) if isinstance(exc, LtiError) else "; ".join(exc.messages),
            status=getattr(exc, "status_code", 400),
            claims={"iss": platform.issuer} if platform else None,
        )
    response = render(request, "lti/deep_link_return.html", {"answer": answer})
    return _frameable(response, platform, form_action=_origin(answer.return_url))


# --- teachers: grade passback and roster -----------------------------------------------------------------------


@staff_required
def quiz_grades(request, quiz_pk):
    quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_pk)
    rows = grades.grade_syncs_for_quiz(quiz, request.user)
    return render(request, "lti/grades.html", {"quiz": quiz, "rows": rows})


@staff_required
@require_POST
def grade_resend(request, pk):
    sync = get_object_or_404(GradeSync.objects.filter(link__in=QuizLink.objects.manageable_by(request.user)), pk=pk)
    try:
        sync = grades.grade_resend(sync=sync, by=request.user, request=request)
    except LtiError as exc:
        show_error(request, exc)
    else:
        send_grade.delay(str(sync.pk))
        messages.success(request, "The score is on its way to the LMS again.")
    return redirect("lti:quiz_grades", quiz_pk=sync.link.quiz_id)


@staff_required
def courses(request):
    contexts = roster.contexts_for(request.user).prefetch_related("roster_syncs")
    links = QuizLink.objects.manageable_by(request.user).select_related("quiz", "platform", "context")
    return render(request, "lti/courses.html", {"contexts": contexts, "links": links})


@staff_required
@require_POST
def course_sync(request, pk):
    context = get_object_or_404(roster.contexts_for(request.user), pk=pk)
    try:
        sync = roster.roster_sync(context=context, by=request.user, request=request)
    except LtiError as exc:
        show_error(request, exc)
    else:
        r = sync.report
        messages.success(
            request,
            f"Roster synced: {len(r['created'])} created, {len(r['linked'])} added to the class, "
            f"{len(r['already_in_class'])} already there, {len(r['in_another_class'])} in another class (left "
            f"there), {len(r['not_in_lms'])} not in the LMS any more (kept).",
        )
    return redirect("lti:courses")
