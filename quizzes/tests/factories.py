import factory

from quizzes.models import Question, QuestionType, Quiz, QuizClass, QuizQuestion, QuizStatus


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    subject = "Mathematics"
    time_limit_minutes = 30
    status = QuizStatus.DRAFT
    created_by = factory.SubFactory("accounts.tests.factories.TeacherFactory")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    text = factory.Sequence(lambda n: f"Question {n}: what is {n} + 1?")
    type = QuestionType.MCQ
    topic = "Arithmetic"
    marks = 2
    options = ["one", "two", "three", "four"]
    correct_answer = 1
    created_by = factory.SubFactory("accounts.tests.factories.TeacherFactory")


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizQuestion

    quiz = factory.SubFactory(QuizFactory)
    question = factory.SubFactory(QuestionFactory)
    order_index = factory.Sequence(lambda n: n)


class QuizClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizClass

    quiz = factory.SubFactory(QuizFactory)
    school_class = factory.SubFactory("classrooms.tests.factories.SchoolClassFactory")
