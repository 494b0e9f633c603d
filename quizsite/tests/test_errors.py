import pytest
from django.db import OperationalError
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from quizsite.api.errors import exception_handler


class _DatabaseDown(APIView):
    permission_classes = []
    authentication_classes = []

    def post(self, request):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


class _Fine(APIView):
    permission_classes = []
    authentication_classes = []

    def post(self, request):
        return Response({"ok": True})


def test_database_outage_is_a_503_with_retry_after_not_a_500():
    response = _DatabaseDown.as_view()(APIRequestFactory().post("/api/v1/x", {}, format="json"))
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "Nothing was saved" in response.data["detail"]


def test_malformed_json_is_a_400_with_detail():
    request = APIRequestFactory().post("/api/v1/x", data='{"a": ', content_type="application/json")
    response = _Fine.as_view()(request)
    # The body is only parsed when the view reads it; reading request.data raises the ParseError.
    assert response.status_code == 200
    request = APIRequestFactory().post("/api/v1/x", data='{"a": ', content_type="application/json")

    class _Reads(_Fine):
        def post(self, request):
            return Response(request.data)

    response = _Reads.as_view()(request)
    assert response.status_code == 400 and response.data["detail"].startswith("Malformed request body")


@pytest.mark.parametrize("exc", [ValueError("boom")])
def test_unknown_errors_are_left_to_django(exc):
    assert exception_handler(exc, {}) is None
