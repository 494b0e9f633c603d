from django.urls import resolve
from rest_framework import viewsets
from rest_framework.response import Response

from quizsite.api.routers import OptionalSlashRouter


class _Things(viewsets.ViewSet):
    def list(self, request):
        return Response([])

    def retrieve(self, request, pk=None):
        return Response({})


def test_routes_match_with_and_without_trailing_slash():
    router = OptionalSlashRouter()
    router.register("things", _Things, basename="thing")
    patterns = router.urls
    from django.urls import include, path

    urlconf = type("U", (), {"urlpatterns": [path("api/", include(patterns))]})
    for url in ("/api/things", "/api/things/", "/api/things/abc", "/api/things/abc/"):
        assert resolve(url, urlconf=urlconf).func.cls is _Things, url
