"""pylti1p3's message launch with the platform's JWKS cached: a class of thirty launching at the bell must not
make thirty JWKS requests to the LMS. A token whose key id is not in the cached set (the LMS rotated its key)
refetches the set once before it is refused."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.exception import LtiException

JWKS_CACHE_SECONDS = 300


def _key(url: str) -> str:
    return "lti:jwks:" + hashlib.sha256(url.encode()).hexdigest()[:32]


class CachedJwksMessageLaunch(DjangoMessageLaunch):
    _refetched = False

    def fetch_public_key(self, key_set_url: str):
        cached = None if self._refetched else cache.get(_key(key_set_url))
        if cached:
            return cached
        keys = super().fetch_public_key(key_set_url)
        if isinstance(keys, dict) and isinstance(keys.get("keys"), list):
            cache.set(_key(key_set_url), keys, JWKS_CACHE_SECONDS)
        return keys

    def get_public_key(self):
        try:
            return super().get_public_key()
        except LtiException as exc:
            if self._refetched or "Unable to find public key" not in str(exc):
                raise
            self._refetched = True
            self._registration.set_key_set(None)
            return super().get_public_key()
