"""Looking at a PDF the way a reader does: the lines of text pypdf extracts from the bytes the app sends, and where
WeasyPrint put each box on each page (to show that nothing runs off the page or is printed over something else).

Geometry is in CSS pixels from the page's top-left corner, as WeasyPrint lays out (1 mm = 3.78 px)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.template.loader import render_to_string
from pypdf import PdfReader

from quizsite import pdf

# Half a pixel: rounding in the layout, never a visible overlap.
EPSILON = 0.5


def pdf_lines(content: bytes) -> list[str]:
    """Every extracted line of text of every page, spaces squeezed."""
    assert content.startswith(b"%PDF")
    lines = []
    for page in PdfReader(io.BytesIO(content)).pages:
        lines += [" ".join(line.split()) for line in page.extract_text().splitlines()]
    return [line for line in lines if line]


def layout(template_name: str, context: dict):
    """The WeasyPrint document (pages of laid-out boxes) of a template, rendered as quizsite.pdf.render_pdf renders
    it: same HTML, same base URL, same fetcher."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url="file:///", url_fetcher=pdf._fetcher()).render()


def boxes(box) -> Iterator:
    """The box and all its descendants."""
    yield box
    for child in getattr(box, "children", ()):
        yield from boxes(child)


def flow_boxes(page) -> Iterator:
    """Every box of the document's content on the page, leaving out the margin boxes (page numbers, running
    headers), which live in the margins by design."""
    for child in page._page_box.children:
        if type(child).__name__ != "MarginBox":
            yield from boxes(child)


def margin_boxes(page) -> Iterator:
    """Every box inside the page's margin boxes (@top-left, @bottom-right...)."""
    for child in page._page_box.children:
        if type(child).__name__ == "MarginBox":
            yield from boxes(child)


def has_class(box, name: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def is_text(box) -> bool:
    return type(box).__name__ == "TextBox"


def tag(box) -> str:
    return getattr(box, "element_tag", "") or ""


def border_box(box) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the box's border edge."""
    x, y = box.border_box_x(), box.border_box_y()
    return x, y, x + box.border_width(), y + box.border_height()


def page_area(page) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the page's content area: inside the margins."""
    box = page._page_box
    x, y = box.content_box_x(), box.content_box_y()
    return x, y, x + box.width, y + box.height


def page_size(page) -> tuple[float, float]:
    return page.width, page.height


def inside(inner, outer, epsilon: float = EPSILON) -> bool:
    return (
        inner[0] >= outer[0] - epsilon
        and inner[1] >= outer[1] - epsilon
        and inner[2] <= outer[2] + epsilon
        and inner[3] <= outer[3] + epsilon
    )


def overlap(a, b, epsilon: float = EPSILON) -> bool:
    return a[0] < b[2] - epsilon and b[0] < a[2] - epsilon and a[1] < b[3] - epsilon and b[1] < a[3] - epsilon
