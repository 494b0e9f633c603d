"""The OpenAPI schema (/api/schema/) and Swagger UI (/api/docs/).

Open to anyone while developing (settings.API_DOCS_PUBLIC, on with DEBUG); otherwise for signed-in teachers and
admins only: an anonymous caller of the schema gets a 401 JSON `detail` like every other API refusal, and the docs
page sends a visitor to the login page. The setting is read on every request (tests turn it off and on).

Swagger UI is drf-spectacular's split view: its start-up code is a separate script (/api/docs/?script) instead of
an inline <script>, so the docs page runs under the site's Content-Security-Policy like every other page.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer

from quizsite.api.permissions import IsTeacherOrAdmin
from quizsite.pages import staff_required


class CanReadApiDocs(BasePermission):
    message = IsTeacherOrAdmin.message

    def has_permission(self, request, view) -> bool:
        return bool(settings.API_DOCS_PUBLIC) or IsTeacherOrAdmin().has_permission(request, view)


class SchemaView(SpectacularAPIView):
    permission_classes = [CanReadApiDocs]

    def handle_exception(self, exc):
        # The schema's own renderers write OpenAPI YAML/JSON; a refusal is plain JSON like every API error.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class SwaggerView(SpectacularSwaggerSplitView):
    # drf-spectacular's page without its inline <style> (moved to static/css/api-docs.css).
    template_name = "api/swagger_ui.html"


_swagger = SwaggerView.as_view(url_name="schema")
_swagger_for_staff = staff_required(_swagger)


def swagger_ui(request, *args, **kwargs):
    view = _swagger if settings.API_DOCS_PUBLIC else _swagger_for_staff
    return view(request, *args, **kwargs)
