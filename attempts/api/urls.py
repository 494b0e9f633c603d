"""REST routes of the attempts app under /api/v1/."""

from quizsite.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()

urlpatterns = [*router.urls]
