"""Issue 15: is a page's HTML inert where a teacher's or an import's text went? Parsed, not pattern-matched:
escaped text such as `&lt;img onerror=...&gt;` is harmless and must not count."""

from __future__ import annotations

from html.parser import HTMLParser

LIVE_TAGS = {"script", "svg", "iframe", "style", "img", "object", "embed", "base", "form", "link", "meta"}
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data"}


class _Collector(HTMLParser):
    def __init__(self, page: bool):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.problems: list[str] = []

    def _own(self, tag, attrs) -> bool:
        """The page's own markup (templates, not user text): its static scripts and data, styles, links, forms."""
        a = dict(attrs)
        if tag == "script":
            return (a.get("src") or "").startswith("/static/") or a.get("type") == "application/json"
        if tag == "svg":  # the layout's icons (the notification bell); a handler or link inside is still flagged
            return a.get("aria-hidden") == "true"
        return tag in ("link", "meta", "form", "style")

    def handle_starttag(self, tag, attrs):
        if tag in LIVE_TAGS and not (self.page and self._own(tag, attrs)):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().replace("\t", "").startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.problems.append(f"{tag} {name}={value[:30]}")


def live_markup(html: str, *, page: bool = False) -> list[str]:
    """What in `html` could run or load something. `page`: a whole page, whose own static scripts, styles, links
    and forms are expected."""
    collector = _Collector(page)
    collector.feed(html)
    return collector.problems
