"""pylti1p3's state and session-id cookies, kept to the LTI paths: SameSite=None; Secure (an LMS iframe is a
third-party context, where a Lax cookie is dropped) on /lti/ only, so the rest of the site keeps its Lax cookies."""

from __future__ import annotations

from pylti1p3.contrib.django.cookie import DjangoCookieService

LTI_COOKIE_PATH = "/lti/"


class LtiCookieService(DjangoCookieService):
    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            secure = self._request.is_secure()
            response.set_cookie(
                key,
                data["value"],
                max_age=data["exp"],
                path=LTI_COOKIE_PATH,
                httponly=True,
                secure=secure,
                # SameSite=None needs Secure. Over plain HTTP (development) no attribute at all, as pylti1p3 does:
                # a browser then still sends a fresh cookie with the platform's cross-site form post.
                samesite="None" if secure else None,
            )
