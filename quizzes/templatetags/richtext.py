"""{% load richtext %}: {{ question.text|rich }} and {{ option|rich_inline }}, the pages' way to show a teacher's text
(quizsite.richtext: Markdown subset + math, sanitised)."""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import mark_safe

from quizsite.richtext import render
from quizzes.types.cloze import BLANK

register = template.Library()


@register.filter
def rich(text):
    return render(text)


@register.filter
def rich_inline(text):
    return render(text, inline=True)


@register.simple_tag
def cloze_text(text, qid, response=None, *, disabled=False):
    """A cloze question's text with an input for each blank [[n]] (the exam), or the student's answers (review)."""
    rendered = str(render(text))
    response = response if isinstance(response, dict) else {}

    def blank(match):
        n = match.group(1)
        value = html.escape(str(response.get(n, "")), quote=True)
        if disabled:
            return f'<span class="cloze-given" aria-label="Blank {n}">{value or "—"}</span>'
        return (
            f'<input type="text" class="cloze-blank" data-blank="{n}" aria-label="Blank {n}" value="{value}" '
            f'size="10" maxlength="500" spellcheck="false" autocomplete="off">'
        )

    return mark_safe(BLANK.sub(blank, rendered))  # noqa: S308 - the text is sanitised, the values escaped


@register.filter
def plain_text(text):
    """Where markup cannot go (a <select>'s options, titles): the text without its Markdown."""
    from quizsite.richtext import plain

    return plain(text)
