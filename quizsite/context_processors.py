"""Template context shared by every page."""

from django.conf import settings


def websocket_url(request):
    """WEBSOCKET_URL for base.html's <meta name="websocket-url"> (read by board.js and exam.js)."""
    return {"websocket_url": settings.WEBSOCKET_URL}
