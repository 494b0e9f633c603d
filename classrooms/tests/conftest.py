import io

import pytest

from tests.factories import SchoolClassFactory, StudentFactory, TeacherClassFactory, TeacherFactory


class NamedBytesIO(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def csv_upload(text: str, name: str = "students.csv", *, bom: bool = False) -> NamedBytesIO:
    data = text.encode("utf-8")
    return NamedBytesIO((b"\xef\xbb\xbf" if bom else b"") + data, name)


@pytest.fixture
def make_upload():
    return csv_upload


@pytest.fixture
def second_class_of_teacher(teacher):
    """A second class taught by `teacher`, with no students."""
    cls = SchoolClassFactory(name="Class 10B", section="B")
    TeacherClassFactory(teacher=teacher, school_class=cls)
    return cls


@pytest.fixture
def unassigned_student(db):
    return StudentFactory(
        user__email="uma@school.test", user__name="Uma Unassigned", registration_number="STU2026500", school_class=None
    )


@pytest.fixture
def spare_teacher(db):
    return TeacherFactory(user__email="spare.teacher@school.test", user__name="Sam Spare")
