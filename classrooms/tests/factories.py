import factory

from classrooms.models import SchoolClass, TeacherClass


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    name = factory.Sequence(lambda n: f"Class {n}")
    section = "A"
    academic_year = "2026-2027"


class TeacherClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeacherClass

    teacher = factory.SubFactory("accounts.tests.factories.TeacherFactory")
    school_class = factory.SubFactory(SchoolClassFactory)
