"""HTML pages of the accounts app."""

from django.contrib.auth import views as auth_views

from accounts.forms import LoginForm


class LoginPageView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
