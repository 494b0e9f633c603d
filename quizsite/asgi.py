"""ASGI entry point: plain HTTP goes to Django, WebSockets to the Channels routes of the apps."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from quizsite.routing import websocket_urlpatterns  # noqa: E402
from quizsite.uploads import UploadLimitASGI  # noqa: E402
from quizsite.ws_auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Under ASGI Django reads a whole body before any middleware runs: refuse oversized uploads before that.
        "http": UploadLimitASGI(django_asgi_app),
        # Origins (site hosts + CORS_ORIGINS; cookies only from the site): quizsite.ws_auth.SocketOriginPolicy.
        "websocket": TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
