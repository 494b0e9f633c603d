"""Reads of the classrooms app, composed from the models' scoped querysets (`SchoolClass.objects.visible_to`,
`Student.objects.visible_to`, `Teacher.objects.manageable_by`, ...): who may see what is said there, never here."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Student, Teacher, User
from classrooms.errors import ClassroomError
from classrooms.models import SchoolClass, TeacherClass
from quizsite.tabular import write_csv, write_xlsx


def _students(qs: QuerySet[Student]) -> QuerySet[Student]:
    """What every student list and page shows: the student's name, e-mail and class."""
    return qs.select_related("user", "school_class", "accommodation")


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
    """Visible classes with `student_count` and their teachers (first assigned first), in three queries.

    `roster_visible` says whether `user` manages the class: only then do they see its roster and its teachers'
    contact details. A student sees their class's own fields and their teachers' names, never their classmates,
    whose names, registration numbers and claimed state are what someone taking over unclaimed accounts needs."""
    managed = SchoolClass.objects.manageable_by(user)
    qs = SchoolClass.objects.visible_to(user).annotate(roster_visible=Exists(managed.filter(pk=OuterRef("pk"))))
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
    """A visible class with its teachers and, for those who manage it (`roster_visible`, see class_list), its
    students as `roster` (empty for anyone else); raises SchoolClass.DoesNotExist for outsiders."""
    students = (
        Student.objects.filter(school_class__in=SchoolClass.objects.manageable_by(user))
        .select_related("user", "accommodation")
        .order_by("user__name", "registration_number")
    )
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
    qs = _students(Student.objects.visible_to(user))
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


def teacher_students(*, user, teacher: Teacher) -> QuerySet[Student]:
    """GET /teachers/{id}/students: students of that teacher's classes, as far as `user` may see them (the caller
    loads `teacher` through Teacher.objects.manageable_by(user))."""
    return (
        _students(Student.objects.visible_to(user))
        .filter(school_class__teacher_links__teacher=teacher)
        .distinct()
        .order_by("school_class__name", "user__name", "registration_number")
    )


def teachers_for_assignment(user) -> QuerySet[Teacher]:
    """The teachers `user` may put in charge of a class: the active ones among those they see."""
    return Teacher.objects.visible_to(user).select_related("user").filter(user__is_active=True).order_by("user__name")


def active_admin() -> User | None:
    return User.objects.admins().filter(is_active=True).order_by("created_at").first()


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


def students_export(*, user, school_class: SchoolClass | None = None, fmt: str = "csv") -> tuple[bytes, str, str]:
    """(content, content type, file name) of the students `user` may see, the guide's columns first (section 9.2).

    Cells go through quizsite.tabular (UTF-8 BOM for Excel, formula-injection safe). The caller loads
    `school_class` through SchoolClass.objects.visible_to(user), so an outsider cannot probe other classes."""
    fmt = (fmt or "csv").lower()
    if fmt not in EXPORT_FORMATS:
        raise ClassroomError("format must be csv or xlsx.")
    qs = Student.objects.visible_to(user)
    label = "students"
    if school_class is not None:
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
