"""WebSocket routes of every app, gathered for quizsite.asgi."""

from grading.routing import websocket_urlpatterns as grading_ws

websocket_urlpatterns = [*grading_ws]
