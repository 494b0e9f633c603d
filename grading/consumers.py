"""Channels consumers of the grading app: the live exam board."""
