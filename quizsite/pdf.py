"""PDF rendering with WeasyPrint from the same HTML templates as the printable pages."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

_STATIC_PREFIXES = ("file:///static/", "/static/")


def static_file_for(url: str) -> str | None:
    """The file on disk behind a /static/... URL, or None."""
    for prefix in _STATIC_PREFIXES:
        if url.startswith(prefix):
            relative = url[len(prefix) :].split("?", 1)[0]
            path = finders.find(relative)
            if path is None and settings.STATIC_ROOT:
                candidate = settings.STATIC_ROOT / relative
                path = str(candidate) if candidate.is_file() else None
            return path
    return None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve /static/... from the static files (so print stylesheets and images apply) and data: URLs;
        refuse everything else. Reports contain user text (questions, answers): a fetcher that followed any URL
        would let a student make the server request internal addresses while rendering their report."""

        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path:
                with open(path, "rb") as handle:
                    body = handle.read()
                return URLFetcherResponse(url, body, {"Content-Type": mimetypes.guess_type(path)[0] or ""})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"PDF rendering does not fetch {url[:80]!r}")

    return StaticOnlyFetcher()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher()).write_pdf()
