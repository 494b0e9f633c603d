"""WebSocket routes of the grading app (the live exam board, guide 5.11)."""

websocket_urlpatterns: list = []
