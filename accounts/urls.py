"""HTML pages of the accounts app."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("claim/", views.claim_page, name="claim"),
    path("password/forgot/", views.forgot_password_page, name="forgot_password"),
    path("password/verify/", views.verify_code_page, name="verify_code"),
    path("password/reset/", views.reset_password_page, name="reset_password"),
    path("profile/", views.profile_page, name="profile"),
    path("users/", views.user_list_page, name="users"),
    path("users/new/", views.user_create_page, name="user_create"),
    path("users/<uuid:pk>/edit/", views.user_edit_page, name="user_edit"),
    path("users/<uuid:pk>/toggle-active/", views.user_toggle_active_page, name="user_toggle_active"),
    path("users/<uuid:pk>/delete/", views.user_delete_page, name="user_delete"),
    path("audit/", views.audit_log_page, name="audit"),
]
