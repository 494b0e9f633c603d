"""API serializers of the classrooms app: the guide's shapes (sections 5.3-5.5). No logic: services do the writes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Student
from classrooms.models import ImportJob, SchoolClass
from classrooms.selectors import class_teachers


class TeacherRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user_id")
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email", required=False, help_text="Staff only.")


class ClassRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    section = serializers.CharField()
    academic_year = serializers.CharField()


class ClassSerializer(serializers.ModelSerializer):
    # The guide's detail has one `teacher`: the first one assigned. `teachers` lists all of them.
    teacher = serializers.SerializerMethodField()
    teachers = serializers.SerializerMethodField()
    student_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SchoolClass
        fields = ("id", "name", "section", "academic_year", "teacher", "teachers", "student_count", "created_at")

    def _teachers(self, obj):
        teachers = TeacherRefSerializer(class_teachers(obj), many=True).data
        if not getattr(obj, "roster_visible", False):  # not a manager of the class: names only (selectors.class_list)
            teachers = [{"id": t["id"], "name": t["name"]} for t in teachers]
        return teachers

    @extend_schema_field(TeacherRefSerializer(allow_null=True))
    def get_teacher(self, obj):
        teachers = self._teachers(obj)
        return teachers[0] if teachers else None

    @extend_schema_field(TeacherRefSerializer(many=True))
    def get_teachers(self, obj):
        return self._teachers(obj)


class RosterStudentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user_id")
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    registration_number = serializers.CharField()
    is_account_claimed = serializers.BooleanField()


class ClassDetailSerializer(ClassSerializer):
    students = RosterStudentSerializer(
        many=True, source="roster", help_text="The roster, for the class's teachers and admins; empty for a student."
    )

    class Meta(ClassSerializer.Meta):
        fields = (*ClassSerializer.Meta.fields, "students", "updated_at")


class ClassWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    section = serializers.CharField(max_length=50, required=False, allow_blank=True)
    academic_year = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AssignTeacherSerializer(serializers.Serializer):
    teacher_id = serializers.UUIDField()


class AssignStudentsSerializer(serializers.Serializer):
    student_ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, max_length=5000)


class StudentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="user_id", read_only=True)
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    # `class` is a Python keyword, so the field is declared in get_fields().
    class_id = serializers.UUIDField(source="school_class_id", allow_null=True)

    class Meta:
        model = Student
        fields = (
            "id",
            "name",
            "email",
            "registration_number",
            "class_id",
            "date_of_birth",
            "parent_email",
            "parent_phone",
            "is_account_claimed",
            "claimed_at",
            "created_at",
        )

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = ClassRefSerializer(source="school_class", allow_null=True, read_only=True)
        return fields


class StudentCreatedSerializer(StudentSerializer):
    """POST /students: the created student plus its one-time claim code (this response only)."""

    claim_code = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text="The student's one-time claim code, shown this once (only its hash is stored); null when a date "
        "of birth was given, which the student then claims with.",
    )

    class Meta(StudentSerializer.Meta):
        fields = (*StudentSerializer.Meta.fields, "claim_code")


class StudentWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    email = serializers.CharField(max_length=255)
    registration_number = serializers.CharField(max_length=50)
    class_id = serializers.UUIDField(required=False, allow_null=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    parent_email = serializers.CharField(max_length=255, required=False, allow_blank=True)
    parent_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


# --- Response bodies built by the views and services (declared so that /api/schema/ describes them) -----------


class ClaimCodeSerializer(serializers.Serializer):
    student_id = serializers.UUIDField()
    name = serializers.CharField()
    registration_number = serializers.CharField()
    class_name = serializers.CharField()
    code = serializers.CharField()


class ClaimCodesIssuedSerializer(serializers.Serializer):
    message = serializers.CharField()
    claim_codes = ClaimCodeSerializer(many=True)


class StudentImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX, at most 5 MB.")
    dry_run = serializers.BooleanField(required=False)
    issue_claim_codes = serializers.BooleanField(required=False)


class StudentImportResultSerializer(serializers.Serializer):
    """An import's result ({message, imported, failed, errors} as in the guide), and for a recorded or queued
    import its job's state; the claim codes only for the job's creator, while they are kept."""

    message = serializers.CharField()
    imported = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    dry_run = serializers.BooleanField(required=False)
    total_rows = serializers.IntegerField(required=False)
    would_import = serializers.IntegerField(required=False)
    created_classes = serializers.ListField(child=serializers.CharField(), required=False)
    claim_codes_issued = serializers.IntegerField(required=False)
    job_id = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=ImportJob.Status.choices, required=False)
    status_url = serializers.URLField(required=False)
    file_name = serializers.CharField(required=False)
    progress = serializers.DictField(required=False)
    error = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    created_at = serializers.DateTimeField(required=False)
    finished_at = serializers.DateTimeField(required=False, allow_null=True)
    claim_codes = ClaimCodeSerializer(many=True, required=False)
    claim_slips_url = serializers.URLField(required=False)
