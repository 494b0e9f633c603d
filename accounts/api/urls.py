"""REST routes of the accounts app under /api/v1/ (trailing slash optional, as everywhere)."""

from django.urls import re_path

from accounts.api import views
from quizsite.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teachers", views.TeacherViewSet, basename="teacher")

auth = [
    ("login", views.LoginView, "login"),
    ("refresh", views.RefreshView, "refresh"),
    ("logout", views.LogoutView, "logout"),
    ("claim-account", views.ClaimAccountView, "claim-account"),
    ("forgot-password", views.ForgotPasswordView, "forgot-password"),
    ("verify-reset-code", views.VerifyResetCodeView, "verify-reset-code"),
    ("reset-password", views.ResetPasswordView, "reset-password"),
    ("me", views.MeView, "me"),
]

urlpatterns = [
    *(re_path(rf"^auth/{name}/?$", view.as_view(), name=f"auth-{url_name}") for name, view, url_name in auth),
    *router.urls,
]
