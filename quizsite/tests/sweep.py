"""Enumerate every URL the project serves, so cross-app tests can walk all of them (anonymous access, bad input,
answer-key leakage) without a hand-kept list that silently misses the next endpoint someone adds."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, QueryDict
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver
from django.utils.functional import cached_property
from rest_framework.request import Request

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


# ---------------------------------------------------------------------------------------------------------------
# What a request looked at: the sweeps send thousands of bodies and query strings, and most endpoints never read
# most of their keys. A request whose extra keys the server never reads is answered exactly as the request
# without them, which the sweep has already sent and checked; so a sweep first sends the bare request, notes
# which keys the server read while answering it, and fuzzes only those (and whatever keys that reveals).


class AllKeys(frozenset):
    """The server looked at the whole body or query string (iterated it, copied it, read the raw bytes)."""

    def __contains__(self, key) -> bool:
        return True


ALL = AllKeys()


class KeysRead:
    def __init__(self) -> None:
        self.keys: set = set()
        self.everything = False
        self.parsing = 0

    def result(self) -> frozenset:
        return ALL if self.everything else frozenset(self.keys)


_current: KeysRead | None = None


def _note(key) -> None:
    if _current is not None:
        _current.keys.add(key)


def _note_all() -> None:
    if _current is not None:
        _current.everything = True


class _RecordingDict(dict):
    """A parsed JSON body that notes which keys the server reads."""

    def __getitem__(self, key):
        _note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        _note(key)
        return super().get(key, default)

    def __contains__(self, key):
        _note(key)
        return super().__contains__(key)

    def pop(self, key, *default):
        _note(key)
        return super().pop(key, *default)

    def setdefault(self, key, default=None):
        _note(key)
        return super().setdefault(key, default)

    def __iter__(self):
        _note_all()
        return super().__iter__()

    def __len__(self):
        _note_all()
        return super().__len__()

    def __eq__(self, other):
        _note_all()
        return super().__eq__(other)

    __hash__ = None

    def keys(self):
        _note_all()
        return super().keys()

    def items(self):
        _note_all()
        return super().items()

    def values(self):
        _note_all()
        return super().values()

    def copy(self):
        _note_all()
        return dict(super().items())

    def __reduce_ex__(self, protocol):
        _note_all()
        return dict, (dict(super().items()),)


def _keyed(method):
    def wrapper(self, key, *args, **kwargs):
        _note(key)
        return method(self, key, *args, **kwargs)

    return wrapper


def _whole(method):
    def wrapper(self, *args, **kwargs):
        _note_all()
        return method(self, *args, **kwargs)

    return wrapper


def _emptiness(method):
    # "Is the form empty?" (`Form(request.POST or None)`) decides whether its fields are read at all, so for a
    # body it counts as reading everything. For the query string it does not: django-filter asks it of every
    # list request and then reads its filters' keys from an empty QueryDict, which are noted as usual.
    def wrapper(self):
        if not getattr(self, "_sweep_query_string", False):
            _note_all()
        return method(self)

    return wrapper


def _query_dict(prop):
    def query_string(request):
        query = prop.func(request)
        query._sweep_query_string = True
        return query

    wrapped = cached_property(query_string)
    wrapped.__set_name__(WSGIRequest, prop.name)
    return wrapped


def _parser(method, *, json_body=False):
    # The framework reading the body to parse it is not the view looking at it; what it parsed is followed.
    def wrapper(*args, **kwargs):
        if _current is None:
            return method(*args, **kwargs)
        _current.parsing += 1
        try:
            result = method(*args, **kwargs)
        finally:
            _current.parsing -= 1
        if json_body and type(result[0]) is dict:  # DRF's Request._parse: (data, files)
            return _RecordingDict(result[0]), result[1]
        return result

    return wrapper


def _raw(method):
    def wrapper(self, *args, **kwargs):
        if _current is not None and not _current.parsing:
            _current.everything = True  # the body read by hand: its keys cannot be followed
        return method(self, *args, **kwargs)

    return wrapper


def record_keys_read(monkeypatch) -> None:
    """Install the notes for the rest of the test (pytest's monkeypatch undoes them)."""

    for name in ("__getitem__", "get", "getlist", "__contains__", "pop", "setdefault"):
        monkeypatch.setattr(QueryDict, name, _keyed(getattr(QueryDict, name)))
    for name in ("__iter__", "keys", "items", "lists", "values", "dict", "copy", "urlencode"):
        monkeypatch.setattr(QueryDict, name, _whole(getattr(QueryDict, name)))
    monkeypatch.setattr(QueryDict, "__len__", _emptiness(QueryDict.__len__))
    monkeypatch.setattr(WSGIRequest, "GET", _query_dict(WSGIRequest.GET))
    monkeypatch.setattr(Request, "_parse", _parser(Request._parse, json_body=True))
    monkeypatch.setattr(HttpRequest, "_load_post_and_files", _parser(HttpRequest._load_post_and_files))
    for name in ("read", "readline", "readlines", "__iter__", "_get_full_path"):
        monkeypatch.setattr(HttpRequest, name, _raw(getattr(HttpRequest, name)))


def keys_read(send, *args, **kwargs):
    """Send one request (`send(*args, **kwargs)`); return its response and the keys of its body and query string
    the server read while answering it (ALL when it looked at them as a whole)."""
    global _current
    _current = KeysRead()
    try:
        response = send(*args, **kwargs)
        return response, _current.result()
    finally:
        _current = None
