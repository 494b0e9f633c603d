"""HTML pages of the attempts app: the student's way through a quiz."""

from django.urls import path

from attempts import views

app_name = "attempts"

urlpatterns = [
    path("", views.enter, name="enter"),
    path("mine/", views.mine, name="mine"),
    path("quiz/<uuid:pk>/", views.intro, name="intro"),
    path("quiz/<uuid:pk>/start/", views.start, name="start"),
    path("<uuid:pk>/", views.take, name="take"),
    path("<uuid:pk>/submit/", views.submit, name="submit"),
    path("<uuid:pk>/result/", views.result, name="result"),
    path("<uuid:pk>/explain/", views.explain, name="explain"),
    path("<uuid:pk>/release-session/", views.release_session, name="release_session"),
]
