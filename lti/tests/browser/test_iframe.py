"""The launch inside the LMS's iframe, in real headless Chromium: the LMS (127.0.0.1) frames the tool (localhost),
a cross-site frame where the browser drops our state cookie; the refusal is readable in the frame and its "Open in
a new window" completes the launch first-party and lands the learner on the quiz."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from lti.models import Context, Identity, QuizLink
from lti.tests.conftest import register
from lti.tests.platform import LEARNER
from tests.builders import build_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_in_the_lms_frame_opens_the_quiz_in_a_new_window(
    chromium, live_server, lms, admin, teacher, school_class
):
    platform = register(lms, admin)
    lms.tool_jwks = Client().get("/lti/jwks/").json()
    quiz = build_quiz(teacher, school_class=school_class, title="Fractions in the LMS")
    context = Context.objects.create(platform=platform, context_id="course-1", school_class=school_class)
    link = QuizLink.objects.create(platform=platform, deployment_id="dep-1", context=context, quiz=quiz,
                                   created_by=teacher.user)  # fmt: skip
    custom = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"quizsite_link": str(link.pk)}}
    claims = lms.claims(sub="lms-lena", roles=[LEARNER], name="Lena Learner", **custom)
    claims.pop("nonce", None)
    hint = lms.expect_login(claims)
    login = f"{live_server.url}/lti/login/?" + urlencode(
        {"iss": lms.issuer, "login_hint": hint, "client_id": lms.client_id, "lti_deployment_id": lms.deployment_id}
    )
    context_ = chromium.new_context()
    context_.set_default_timeout(15_000)
    page = context_.new_page()
    page.goto(f"{lms.base}/course?" + urlencode({"src": login}))
    frame = page.frame_locator("iframe")
    new_window = frame.get_by_role("link", name="Open in a new window")
    new_window.wait_for()
    assert "blocked the cookie" in frame.locator("body").inner_text()
    assert not Identity.objects.exists()
    with context_.expect_page() as popup_info:
        new_window.click()
    popup = popup_info.value
    popup.wait_for_url(f"**/attempts/quiz/{quiz.pk}/", timeout=15_000)
    assert "Fractions in the LMS" in popup.locator("main").inner_text()
    assert Identity.objects.get(sub="lms-lena").user.student.school_class == school_class
    context_.close()
