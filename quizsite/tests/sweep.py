"""Enumerate every URL the project serves, so cross-app tests can walk all of them (anonymous access, bad input,
answer-key leakage) without a hand-kept list that silently misses the next endpoint someone adds."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

# Kwarg placeholders in Django path converters (`<uuid:pk>`) and DRF router regexes (`(?P<pk>...)`).
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
_VERBS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "/api/v1/quizzes/{pk}/start"
    name: str
    methods: tuple[str, ...]
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.template.startswith("/api/v1/")

    def url(self, **values) -> str:
        return self.template.format(**{k: values.get(k, uuid.uuid4()) for k in self.kwargs})


def _methods(callback) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:
        return tuple(m.upper() for m in actions if m in _VERBS)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        return tuple(m.upper() for m in _VERBS if hasattr(cls, m))
    return ("GET", "POST")


def _clean(regex: str) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def group(match):
        names.append(match.group("name"))
        return "{" + match.group("name") + "}"

    text = _GROUP.sub(group, regex)
    text = _CONVERTER.sub(group, text)
    text = text.replace("^", "").replace("$", "").replace("/?", "/").replace("\\", "")
    return text, tuple(names)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name, p.callback


def all_routes() -> list[Route]:
    routes = []
    for raw, name, callback in _walk(get_resolver().url_patterns):
        if raw.startswith("admin/") or raw.startswith("api/schema") or raw.startswith("api/docs"):
            continue
        template, kwargs = _clean(raw)
        routes.append(Route("/" + template, name or "", _methods(callback), kwargs))
    return routes


def api_routes() -> list[Route]:
    return [r for r in all_routes() if r.is_api]


def page_routes() -> list[Route]:
    return [r for r in all_routes() if not r.is_api]
