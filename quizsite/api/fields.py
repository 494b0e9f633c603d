"""Serializer fields shared by every app's API, so one kind of number renders one way everywhere."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.DOUBLE)
class ScoreField(serializers.Field):
    """A score, mark or percentage: always a JSON number with a fraction part (`2.0`, `7.5`), or null.

    Stored as Decimal (exact sums); rendered as float rounded to `places`, so the SPA never sees `2` on one endpoint
    and `2.0` or `"2.00"` on another."""

    def __init__(self, *, places: int = 2, **kwargs):
        self.places = places
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return score_number(value, self.places)


def score_number(value, places: int = 2) -> float | None:
    """The one rendering of a score outside serializers (socket events, cached payloads)."""
    if value is None:
        return None
    return round(float(Decimal(str(value))), places)
