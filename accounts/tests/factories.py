import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role, Student, Teacher, User

DEFAULT_PASSWORD = "correct-horse-battery"
_hash_cache: dict[str, str] = {}


def hashed(password: str) -> str:
    # One real argon2 hash per distinct password per test run: the suite stays fast and still exercises the
    # project's real hasher.
    if password not in _hash_cache:
        _hash_cache[password] = make_password(password)
    return _hash_cache[password]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.test")
    name = factory.Faker("name")
    role = Role.ADMIN
    password = factory.LazyFunction(lambda: hashed(DEFAULT_PASSWORD))


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    user = factory.SubFactory(
        UserFactory, role=Role.TEACHER, email=factory.Sequence(lambda n: f"teacher{n}@school.test")
    )
    subject = "Mathematics"
    department = "Sciences"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    user = factory.SubFactory(
        UserFactory, role=Role.STUDENT, email=factory.Sequence(lambda n: f"student{n}@school.test")
    )
    registration_number = factory.Sequence(lambda n: f"STU9{n:05d}")
    school_class = None
    is_account_claimed = True
    claimed_at = factory.LazyFunction(timezone.now)
