"""Versioned cache keys for analytics. Submitting or grading an attempt bumps the quiz's version (and the
site-wide one), so every cached figure computed from the old data is simply never read again.

    invalidate_quiz_analytics(quiz_id)     # call after an attempt of the quiz is submitted, graded or regraded
    analytics_cache_key("quiz", quiz_id, "best")
    cached(key, timeout, compute)          # the cached figure, or compute() stored under key
"""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

_GLOBAL = "analytics:v:global"


def _quiz_version_key(quiz_id) -> str:
    return f"analytics:v:quiz:{quiz_id}"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, timeout=None)


def invalidate_quiz_analytics(quiz_id) -> None:
    try:
        _bump(_quiz_version_key(quiz_id))
        _bump(_GLOBAL)
    except Exception:  # a cache outage must not fail a submit; cached figures then expire by their timeout
        logger.warning("analytics cache not invalidated for quiz %s", quiz_id, exc_info=True)


def analytics_cache_key(kind: str, *parts, quiz_id=None) -> str:
    try:
        version = cache.get(_quiz_version_key(quiz_id) if quiz_id else _GLOBAL) or 1
    except Exception:
        version = "nocache"
    return ":".join(["analytics", kind, str(version), *map(str, parts)])


def cached(key: str, timeout: int, compute):
    """The value cached under `key`, else compute() (stored for `timeout` seconds)."""
    try:
        hit = cache.get(key)
    except Exception:  # a Redis outage degrades to computing every time, never to an error page
        logger.warning("analytics cache unavailable", exc_info=True)
        hit = None
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("analytics cache unavailable", exc_info=True)
    return value


def invalidate_on_results_changed(sender, *, quiz_id, **kwargs) -> None:
    """Receiver of quizzes.signals.quiz_results_changed (connected in AnalyticsConfig.ready)."""
    invalidate_quiz_analytics(quiz_id)
