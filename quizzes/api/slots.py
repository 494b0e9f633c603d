"""Issue 16: a quiz's random slots (additive endpoints).

    GET    /api/v1/quizzes/{id}/slots               the slots with their pool sizes and the number of versions
    POST   /api/v1/quizzes/{id}/slots               add one {count, marks, topic, tag, difficulty, type}
    DELETE /api/v1/quizzes/{id}/slots/{sid}         remove one
    GET    /api/v1/quizzes/{id}/slots/preview       one random draw, as a student would get it

The quiz is loaded through Quiz.objects.manageable_by: another teacher's quiz is a 404, a student a 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MessageSerializer
from quizsite.api.permissions import IsTeacherOrAdmin
from quizsite.api.schema import ErrorSerializer
from quizzes import selectors, services
from quizzes.models import TAG_MAX_LENGTH, Difficulty, QuestionType, Quiz


class SlotWriteSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=services.lifecycle.MAX_SLOT_COUNT)
    marks = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1)
    topic = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tag = serializers.CharField(max_length=TAG_MAX_LENGTH, required=False, allow_blank=True)
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=QuestionType.choices, required=False, allow_blank=True)


class SlotSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    order_index = serializers.IntegerField()
    count = serializers.IntegerField()
    marks = serializers.IntegerField()
    topic = serializers.CharField()
    tag = serializers.CharField()
    difficulty = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField()
    pool_size = serializers.IntegerField(required=False)


class SlotListSerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)
    distinct_versions = serializers.CharField(help_text="How many different sets of questions the slots can draw.")


class DrawnQuestionSerializer(serializers.Serializer):
    slot_id = serializers.UUIDField()
    id = serializers.UUIDField()
    text = serializers.CharField()
    type = serializers.CharField()
    marks = serializers.IntegerField()


class SlotPreviewSerializer(serializers.Serializer):
    questions = DrawnQuestionSerializer(many=True)


def _manageable_quiz(request, pk) -> Quiz:
    return get_object_or_404(Quiz.objects.manageable_by(request.user), pk=pk)


def slot_data(pool) -> dict:
    data = SlotSerializer(pool.slot).data
    data["pool_size"] = pool.size
    return data


class QuizSlotsView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(
        tags=["quizzes"],
        description="The quiz's random slots, each with its pool's size.",
        responses={200: SlotListSerializer},
    )
    def get(self, request, pk):
        quiz = _manageable_quiz(request, pk)
        pools = selectors.slot_pools(quiz)
        return Response(
            {"slots": [slot_data(p) for p in pools], "distinct_versions": str(selectors.distinct_versions(pools))}
        )

    @extend_schema(request=SlotWriteSerializer, responses={201: SlotSerializer}, tags=["quizzes"])
    def post(self, request, pk):
        quiz = _manageable_quiz(request, pk)
        data = SlotWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slot = services.quiz_slot_add(quiz=quiz, by=request.user, data=dict(data.validated_data), request=request)
        return Response(slot_data(selectors.SlotPool(slot, selectors.slot_pool(slot).count())), status=201)


class QuizSlotDetailView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses={200: MessageSerializer}, tags=["quizzes"])
    def delete(self, request, pk, slot_id):
        quiz = _manageable_quiz(request, pk)
        services.quiz_slot_remove(quiz=quiz, slot_id=slot_id, by=request.user, request=request)
        return Response({"message": "Random slot removed"}, status=status.HTTP_200_OK)


class QuizSlotPreviewView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(
        tags=["quizzes"],
        description="One random draw of the slots, as a student would get it.",
        responses={200: SlotPreviewSerializer, 409: ErrorSerializer},
    )
    def get(self, request, pk):
        quiz = _manageable_quiz(request, pk)
        try:
            drawn = selectors.draw_slots(quiz)
        except selectors.SlotPoolTooSmall as exc:
            return Response(
                {"detail": f"{exc.slot.label}: the bank holds too few matching questions to draw."}, status=409
            )
        return Response(
            {
                "questions": [
                    {
                        "slot_id": str(link.slot.pk),
                        "id": str(link.question.pk),
                        "text": link.question.text,
                        "type": link.question.type,
                        "marks": link.marks,
                    }
                    for link in drawn
                ]
            }
        )
