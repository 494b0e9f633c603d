"""API serializers of the accounts app: input parsing and the guide's response shapes (section 5.1, 5.2, 5.4).

No business logic here (STYLE.md): views hand the validated data to accounts.services.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role, Teacher, User


def _password_field(**kwargs):
    return serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, **kwargs)


# --- auth inputs -----------------------------------------------------------------------------------------------
class LoginSerializer(serializers.Serializer):
    email_or_reg_no = serializers.CharField(max_length=255)
    password = _password_field(allow_blank=True, max_length=4096)


class RefreshSerializer(serializers.Serializer):
    refresh_token = serializers.CharField()


class LogoutSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(required=False, allow_blank=True)


class ClaimAccountSerializer(serializers.Serializer):
    registration_number = serializers.CharField(max_length=50)
    password = _password_field(max_length=4096)
    confirm_password = _password_field(max_length=4096)
    claim_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    date_of_birth = serializers.DateField(required=False, allow_null=True)


class ForgotPasswordSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=255)


class VerifyResetCodeSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=255)
    code = serializers.RegexField(r"^\s*\d{6}\s*$", error_messages={"invalid": "The code has 6 digits."})


class ResetPasswordSerializer(serializers.Serializer):
    reset_token = serializers.CharField(max_length=1000)
    new_password = _password_field(max_length=4096)
    confirm_password = _password_field(max_length=4096)


# --- auth outputs ----------------------------------------------------------------------------------------------
class AuthUserSerializer(serializers.Serializer):
    """The `user` object of the login and claim responses."""

    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    registration_number = serializers.CharField(required=False, help_text="Students only.")

    def to_representation(self, user):
        data = {"id": str(user.pk), "email": user.email, "name": user.name, "role": user.role}
        if user.is_student and hasattr(user, "student"):
            data["registration_number"] = user.student.registration_number
        return data


class LoginResponseSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField(help_text="Access token lifetime in seconds.")
    user = AuthUserSerializer()


class RefreshResponseSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField(help_text="The rotated refresh token: the one sent is now revoked.")
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class ClaimResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    user = AuthUserSerializer()


class ForgotPasswordResponseSerializer(serializers.Serializer):
    message = serializers.CharField()


class VerifyResetCodeResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    reset_token = serializers.CharField()


class ClassBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    section = serializers.CharField()
    academic_year = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """GET /auth/me: the user plus the fields of their role (student: registration number and class; teacher:
    subject, department and classes)."""

    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    registration_number = serializers.CharField(required=False)
    is_account_claimed = serializers.BooleanField(required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    class_ = ClassBriefSerializer(required=False, allow_null=True)
    subject = serializers.CharField(required=False)
    department = serializers.CharField(required=False)
    classes = ClassBriefSerializer(many=True, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields

    def to_representation(self, user):
        data = {
            "id": str(user.pk),
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "is_active": user.is_active,
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "created_at": user.created_at.isoformat(),
        }
        if user.is_student and hasattr(user, "student"):
            s = user.student
            data["registration_number"] = s.registration_number
            data["is_account_claimed"] = s.is_account_claimed
            data["date_of_birth"] = s.date_of_birth.isoformat() if s.date_of_birth else None
            data["class"] = _class_brief(s.school_class) if s.school_class_id else None
        elif user.is_teacher and hasattr(user, "teacher"):
            t = user.teacher
            data["subject"] = t.subject
            data["department"] = t.department
            data["classes"] = [_class_brief(c) for c in t.classes.all()]  # SchoolClass Meta ordering, prefetched
        return data


def _class_brief(c) -> dict:
    return {"id": str(c.pk), "name": c.name, "section": c.section, "academic_year": c.academic_year}


# --- users (admin) ---------------------------------------------------------------------------------------------
class UserSerializer(serializers.ModelSerializer):
    registration_number = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "role",
            "is_active",
            "is_email_verified",
            "last_login",
            "created_at",
            "updated_at",
            "registration_number",
            "subject",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_registration_number(self, user):
        student = getattr(user, "student", None) if user.is_student else None
        return student.registration_number if student else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_subject(self, user):
        teacher = getattr(user, "teacher", None) if user.is_teacher else None
        return teacher.subject if teacher else None


class UserWriteSerializer(serializers.Serializer):
    """POST (create) and PUT/PATCH (partial update) of /users; required-ness is checked by the view per method."""

    email = serializers.EmailField(max_length=255, required=False)
    name = serializers.CharField(max_length=255, required=False)
    password = _password_field(max_length=4096, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    subject = serializers.CharField(max_length=100, required=False, allow_blank=True)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class UserCreateSerializer(UserWriteSerializer):
    email = serializers.EmailField(max_length=255)
    name = serializers.CharField(max_length=255)
    role = serializers.ChoiceField(choices=Role.choices)


# --- teachers --------------------------------------------------------------------------------------------------
class TeacherSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="user_id", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    classes = serializers.SerializerMethodField()

    class Meta:
        model = Teacher
        fields = ["id", "name", "email", "subject", "department", "is_active", "classes"]
        read_only_fields = fields

    @extend_schema_field(ClassBriefSerializer(many=True))
    def get_classes(self, teacher):
        # Uses the prefetched (and ordered) classes of teachers_visible_to(): no query per teacher.
        return [_class_brief(c) for c in teacher.classes.all()]
