"""HTML pages of the attempts app."""

from django.urls import path  # noqa: F401

app_name = "attempts"

urlpatterns: list = []
