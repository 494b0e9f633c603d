"""REST routes of the quizzes app under /api/v1/."""

from quizsite.api.routers import OptionalSlashRouter
from quizzes.api.views import QuestionViewSet, QuizViewSet

router = OptionalSlashRouter()
# SimpleRouter.__init__ turns any truthy trailing_slash into "/", so the optional slash is set here as well
# (the SPA calls /api/v1/quizzes without one; a redirected POST would lose its body).
router.trailing_slash = "/?"
router.register("questions", QuestionViewSet, basename="question")
router.register("quizzes", QuizViewSet, basename="quiz")

urlpatterns = [*router.urls]
