"""WebSocket routes of the grading app: the live exam board (guide 5.11) and a student's own attempt channel."""

from django.urls import path

from grading import consumers

websocket_urlpatterns = [
    path("ws/quiz-monitor/<str:quiz_id>", consumers.QuizMonitorConsumer.as_asgi()),
    path("ws/quiz-monitor/<str:quiz_id>/", consumers.QuizMonitorConsumer.as_asgi()),
    path("ws/attempt/<str:attempt_id>", consumers.AttemptConsumer.as_asgi()),
    path("ws/attempt/<str:attempt_id>/", consumers.AttemptConsumer.as_asgi()),
]
