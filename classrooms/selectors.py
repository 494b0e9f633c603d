"""Reads of the classrooms app. Every page and API view scopes its queryset through these (STYLE.md)."""

from __future__ import annotations

import uuid

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import Role, Student, Teacher, User
from classrooms.models import ImportJob, SchoolClass, TeacherClass


def _role(user) -> str | None:
    if not user or not user.is_authenticated or not user.is_active:
        return None
    return user.role


def classes_visible_to(user) -> QuerySet[SchoolClass]:
    """Admins see every class, a teacher the classes assigned to them, a student their own class."""
    role = _role(user)
    qs = SchoolClass.objects.all()
    if role == Role.ADMIN:
        return qs
    if role == Role.TEACHER:
        return qs.filter(teacher_links__teacher_id=user.pk)
    if role == Role.STUDENT:
        return qs.filter(students__user_id=user.pk)
    return qs.none()


def classes_managed_by(user) -> QuerySet[SchoolClass]:
    """Classes whose roster `user` may change: all for admins, their own for teachers, none for students."""
    role = _role(user)
    if role in (Role.ADMIN, Role.TEACHER):
        return classes_visible_to(user)
    return SchoolClass.objects.none()


def can_manage_class(user, school_class: SchoolClass) -> bool:
    role = _role(user)
    if role == Role.ADMIN:
        return True
    if role == Role.TEACHER:
        return TeacherClass.objects.filter(teacher_id=user.pk, school_class=school_class).exists()
    return False


def students_visible_to(user) -> QuerySet[Student]:
    """Admins see every student, a teacher the students of their classes, a student only themself."""
    role = _role(user)
    qs = Student.objects.select_related("user", "school_class")
    if role == Role.ADMIN:
        return qs
    if role == Role.TEACHER:
        return qs.filter(school_class__teacher_links__teacher_id=user.pk)
    if role == Role.STUDENT:
        return qs.filter(user_id=user.pk)
    return qs.none()


def students_assignable_by(user) -> QuerySet[Student]:
    """Students `user` may put into a class: any for admins; for a teacher, the students of their own classes and
    students without a class (a teacher must not take a student out of another teacher's class)."""
    role = _role(user)
    qs = Student.objects.select_related("user", "school_class")
    if role == Role.ADMIN:
        return qs
    if role == Role.TEACHER:
        return qs.filter(Q(school_class__isnull=True) | Q(school_class__teacher_links__teacher_id=user.pk))
    return qs.none()


def _teacher_links_prefetch() -> Prefetch:
    return Prefetch(
        "teacher_links",
        queryset=TeacherClass.objects.select_related("teacher__user").order_by("assigned_at", "id"),
        to_attr="ordered_teacher_links",
    )


def _search_text(search) -> str:
    # PostgreSQL text cannot hold NUL: a pasted or crafted "%00" in ?search= / ?q= must not become a 500.
    return (search or "").replace("\x00", "").strip()


def class_list(*, user, search: str = "") -> QuerySet[SchoolClass]:
    """Visible classes with `student_count` and their teachers (first assigned first), in three queries."""
    qs = classes_visible_to(user)
    search = _search_text(search)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(section__icontains=search) | Q(academic_year__icontains=search))
    # Count in a subquery-free annotation; distinct because a teacher filter joins teacher_links.
    return (
        qs.annotate(student_count=Count("students", distinct=True))
        .prefetch_related(_teacher_links_prefetch())
        .order_by("name", "section", "academic_year")
    )


def class_detail(*, user, pk) -> SchoolClass:
    """A visible class with teachers and students loaded; raises SchoolClass.DoesNotExist for outsiders."""
    students = Student.objects.select_related("user").order_by("user__name", "registration_number")
    return class_list(user=user).prefetch_related(Prefetch("students", queryset=students, to_attr="roster")).get(pk=pk)


def class_teachers(school_class: SchoolClass) -> list[Teacher]:
    links = getattr(school_class, "ordered_teacher_links", None)
    if links is None:
        links = list(
            TeacherClass.objects.filter(school_class=school_class)
            .select_related("teacher__user")
            .order_by("assigned_at", "id")
        )
    return [link.teacher for link in links]


def student_list(*, user, class_id=None, search: str = "") -> QuerySet[Student]:
    qs = students_visible_to(user)
    if class_id:
        qs = qs.filter(school_class_id=class_id)
    search = _search_text(search)
    if search:
        qs = qs.filter(
            Q(user__name__icontains=search)
            | Q(user__email__icontains=search)
            | Q(registration_number__icontains=search.strip().upper())
        )
    return qs.order_by("user__name", "registration_number")


def teacher_students(*, user, teacher_id) -> QuerySet[Student]:
    """GET /teachers/{id}/students: students of that teacher's classes, as far as `user` may see them.

    Raises Teacher.DoesNotExist when the teacher is not visible (another teacher asking gets a 404)."""
    role = _role(user)
    if role == Role.ADMIN:
        teacher = Teacher.objects.get(pk=teacher_id)
    elif role == Role.TEACHER and str(user.pk) == str(uuid.UUID(str(teacher_id))):
        teacher = Teacher.objects.get(pk=teacher_id)
    else:
        raise Teacher.DoesNotExist
    return (
        Student.objects.select_related("user", "school_class")
        .filter(school_class__teacher_links__teacher=teacher)
        .distinct()
        .order_by("school_class__name", "user__name", "registration_number")
    )


def teachers_for_assignment() -> QuerySet[Teacher]:
    return Teacher.objects.select_related("user").filter(user__is_active=True).order_by("user__name")


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """An import's file, errors and claim codes are its creator's alone (admins see them too)."""
    role = _role(user)
    if role == Role.ADMIN:
        return ImportJob.objects.all()
    if role == Role.TEACHER:
        return ImportJob.objects.filter(created_by_id=user.pk)
    return ImportJob.objects.none()


def active_admin() -> User | None:
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("created_at").first()


EXPORT_HEADERS = (
    "Name",
    "Email",
    "Registration Number",
    "Class",
    "Section",
    "Academic Year",
    "Account Claimed",
    "Date of Birth",
    "Parent Email",
    "Parent Phone",
    "Created At",
)
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def students_export(*, user, class_id=None, fmt: str = "csv") -> tuple[bytes, str, str]:
    """(content, content type, file name) of the students `user` may see, the guide's columns first (section 9.2).

    Cells go through quizsite.tabular (UTF-8 BOM for Excel, formula-injection safe). A class_id that is not
    visible to `user` raises SchoolClass.DoesNotExist (404), so an outsider cannot probe other classes."""
    from quizsite.tabular import write_csv, write_xlsx

    fmt = (fmt or "csv").lower()
    if fmt not in EXPORT_FORMATS:
        from classrooms.errors import ClassroomError

        raise ClassroomError("format must be csv or xlsx.")
    qs = students_visible_to(user)
    label = "students"
    if class_id:
        school_class = classes_visible_to(user).get(pk=class_id)
        qs = qs.filter(school_class=school_class)
        label = f"students-{school_class.name}".replace(" ", "-")
    rows = (
        (
            name,
            email,
            reg,
            class_name or "Unassigned",
            section or "",
            year or "",
            claimed,
            dob,
            parent_email,
            parent_phone,
            created_at,
        )
        for name, email, reg, class_name, section, year, claimed, dob, parent_email, parent_phone, created_at in (
            qs.order_by("school_class__name", "user__name", "registration_number")
            .values_list(
                "user__name",
                "user__email",
                "registration_number",
                "school_class__name",
                "school_class__section",
                "school_class__academic_year",
                "is_account_claimed",
                "date_of_birth",
                "parent_email",
                "parent_phone",
                "created_at",
            )
            .iterator(chunk_size=2000)
        )
    )
    safe_label = "".join(ch for ch in label if ch.isalnum() or ch in "-_") or "students"
    if fmt == "xlsx":
        return write_xlsx(EXPORT_HEADERS, rows, title="Students"), EXPORT_FORMATS["xlsx"], f"{safe_label}.xlsx"
    return write_csv(EXPORT_HEADERS, rows), EXPORT_FORMATS["csv"], f"{safe_label}.csv"
