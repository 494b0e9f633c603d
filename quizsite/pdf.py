"""PDF rendering with WeasyPrint from the same HTML templates as the printable pages."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    # base_url lets templates reference static files by absolute path (/static/...) from disk.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
