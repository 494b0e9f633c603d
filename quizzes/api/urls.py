"""REST routes of the quizzes app under /api/v1/."""

from quizsite.api.routers import OptionalSlashRouter
from quizzes.api.views import QuestionViewSet, QuizViewSet

router = OptionalSlashRouter()
router.register("questions", QuestionViewSet, basename="question")
router.register("quizzes", QuizViewSet, basename="quiz")

urlpatterns = [*router.urls]
