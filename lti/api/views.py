"""The LTI grade passback status over the API (the same selectors and service as lti.views' pages): a quiz's
teacher (or an admin) lists the scores sent to LMS gradebooks and resends one; another teacher gets 404, a
student 403."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from lti.api.serializers import GradeSyncSerializer
from lti.models import GradeSync, QuizLink
from lti.services import grades
from lti.tasks import send_grade
from quizsite.api.permissions import IsTeacherOrAdmin
from quizzes.models import Quiz


class QuizGradeSyncListView(ListAPIView):
    """GET /lti/quizzes/{id}/grades: the quiz's scores sent to LMS gradebooks, with their status."""

    permission_classes = [IsTeacherOrAdmin]
    serializer_class = GradeSyncSerializer
    queryset = GradeSync.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        quiz = get_object_or_404(Quiz.objects.manageable_by(self.request.user), pk=self.kwargs["pk"])
        return grades.grade_syncs_for_quiz(quiz, self.request.user)


class GradeSyncResendView(APIView):
    """POST /lti/grades/{id}/resend: send this score to the LMS again."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses=GradeSyncSerializer)
    def post(self, request, pk):
        sync = get_object_or_404(GradeSync.objects.filter(link__in=QuizLink.objects.manageable_by(request.user)), pk=pk)
        sync = grades.grade_resend(sync=sync, by=request.user, request=request)
        send_grade.delay(str(sync.pk))
        sync.refresh_from_db()
        return Response(GradeSyncSerializer(sync).data)
