"""API of the integrity app (issue 20): a quiz's collusion leads, computing them, a teacher's conclusion; fixing a
question and undoing it. Staff only (students 403); another teacher's quiz, lead or fix is 404. The same services as
the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from integrity import quality, selectors, services
from integrity.api import serializers as s
from integrity.models import CollusionLead, QuestionFix
from quizsite.api.permissions import IsTeacherOrAdmin
from quizzes.models import Quiz, QuizQuestion


class QuizLeadsView(APIView):
    """GET /integrity/quizzes/{id}/leads: the latest run and its leads, strongest evidence first."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=s.QuizLeadsSerializer)
    def get(self, request, pk):
        quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=pk)
        data = selectors.quiz_leads(quiz, viewer=request.user)
        body = {"run": data["run"], "leads": [*data["strong"], *data["weaker"]]}
        return Response(s.QuizLeadsSerializer(body).data)


class QuizLeadsComputeView(APIView):
    """POST /integrity/quizzes/{id}/leads/compute: compute the leads now (a Celery task); 202 with the queued run."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses={202: s.RunSerializer})
    def post(self, request, pk):
        quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=pk)
        run = services.collusion_request(quiz=quiz, by=request.user)
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class LeadConclusionView(APIView):
    """POST /integrity/leads/{id}/conclusion {"conclusion": ..., "note": ...}: the teacher's audited conclusion."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=s.ConclusionRequestSerializer, responses=s.ConclusionSerializer)
    def post(self, request, pk):
        lead = get_object_or_404(CollusionLead.objects.visible_to(request.user), pk=pk)
        body = s.ConclusionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = services.lead_conclude(lead=lead, by=request.user, request=request, **body.validated_data)
        return Response(s.ConclusionSerializer(record).data)


class QuestionFixView(APIView):
    """POST /integrity/quizzes/{quiz_id}/questions/{question_id}/fixes {"action", "value", "reason"}: fix a flawed
    question in one step; 201 with the fix. The attempts are re-marked after commit."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=s.FixRequestSerializer, responses={201: s.FixSerializer})
    def post(self, request, quiz_id, question_id):
        quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
        link = get_object_or_404(QuizQuestion.objects.select_related("question"), quiz=quiz, question_id=question_id)
        body = s.FixRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fix = quality.question_fix_apply(
            quiz=quiz, question=link.question, by=request.user, request=request, **body.validated_data
        )
        return Response(s.FixSerializer(fix).data, status=status.HTTP_201_CREATED)


class QuestionFixUndoView(APIView):
    """POST /integrity/fixes/{id}/undo: undo a fix the same way (the attempts are re-marked again)."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses=s.FixSerializer)
    def post(self, request, pk):
        fix = get_object_or_404(
            QuestionFix.objects.visible_to(request.user).filter(quiz__in=Quiz.objects.manageable_by(request.user)),
            pk=pk,
        )
        fix = quality.question_fix_undo(fix=fix, by=request.user, request=request)
        return Response(s.FixSerializer(fix).data)
