"""Forms of the quizzes pages. They only parse what a browser sends; the rules are in the services and in
Question.clean(), whose errors quizsite.pages.apply_errors puts next to the right field. The choices they offer
come from the same scoped querysets the services check against. One module per page family; every form is
imported from `quizzes.forms`."""

from quizzes.forms.common import DateTimeLocalInput, OwnerMixin
from quizzes.forms.questions import (
    BankFilterForm,
    QuestionExportForm,
    QuestionForm,
    QuestionImageForm,
    QuestionImportForm,
)
from quizzes.forms.quizzes import OverrideForm, QuizForm

__all__ = [
    "BankFilterForm",
    "DateTimeLocalInput",
    "OverrideForm",
    "OwnerMixin",
    "QuestionExportForm",
    "QuestionForm",
    "QuestionImageForm",
    "QuestionImportForm",
    "QuizForm",
]
