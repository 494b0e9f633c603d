"""REST routes of the grading app under /api/v1/."""

from quizsite.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()

urlpatterns = [*router.urls]
