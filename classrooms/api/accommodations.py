"""Issue 17: GET/PUT/DELETE /api/v1/students/{id}/accommodation, a student's exam accommodations.

Seen and set by the student's teachers and admins (accounts.models.Accommodation.objects.visible_to and
accounts.services.accommodation_set/remove); another teacher's student is 404, a student 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.api.serializers import MessageSerializer
from accounts.models import Accommodation, Student
from quizsite.api.permissions import IsTeacherOrAdmin


class AccommodationSerializer(serializers.ModelSerializer):
    student_id = serializers.UUIDField(source="student.pk", read_only=True)
    set_by = serializers.CharField(source="set_by.name", default="", read_only=True)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = Accommodation
        fields = [
            "student_id",
            "time_multiplier",
            "extra_minutes",
            "no_time_limit",
            "extra_attempts",
            "exempt_from_focus_violations",
            "reason",
            "set_by",
            "updated_at",
            "summary",
        ]
        read_only_fields = fields


class AccommodationWriteSerializer(serializers.Serializer):
    time_multiplier = serializers.DecimalField(max_digits=3, decimal_places=2, required=False, default=1)
    extra_minutes = serializers.IntegerField(required=False, default=0)
    no_time_limit = serializers.BooleanField(required=False, default=False)
    extra_attempts = serializers.IntegerField(required=False, default=0)
    exempt_from_focus_violations = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=500)


class StudentAccommodationView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    def _student(self, request, pk) -> Student:
        return get_object_or_404(Student.objects.visible_to(request.user), pk=pk)

    @extend_schema(responses={200: AccommodationSerializer, 404: MessageSerializer}, tags=["students"])
    def get(self, request, pk):
        student = self._student(request, pk)
        acc = get_object_or_404(Accommodation.objects.visible_to(request.user).select_related("set_by"), pk=student.pk)
        return Response(AccommodationSerializer(acc).data)

    @extend_schema(request=AccommodationWriteSerializer, responses={200: AccommodationSerializer}, tags=["students"])
    def put(self, request, pk):
        student = self._student(request, pk)
        data = AccommodationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        acc = account_services.accommodation_set(
            student=student, by=request.user, request=request, **data.validated_data
        )
        return Response(AccommodationSerializer(acc).data)

    @extend_schema(request=None, responses={200: MessageSerializer}, tags=["students"])
    def delete(self, request, pk):
        student = self._student(request, pk)
        removed = account_services.accommodation_remove(student=student, by=request.user, request=request)
        message = "Accommodation removed" if removed else "The student had no accommodation"
        return Response({"message": message}, status=status.HTTP_200_OK)
