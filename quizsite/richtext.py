"""Safe rich text: the one function every page, PDF and export calls to show a teacher's text (question text,
options, feedback, rubrics).

A Markdown subset (CommonMark through markdown-it-py with raw HTML OFF: a typed `<script>` is shown as text, never
parsed) plus LaTeX math (`$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`), then sanitised by nh3 (ammonia) with an
allow-list: no script, no event handler, no style, no `javascript:` or `data:` link, no image from the Markdown
(question images are uploads, not URLs), links get rel="noopener noreferrer nofollow".

Math is converted on the server to MathML (latex2mathml, sanitised by nh3 with a MathML allow-list), so PDFs and
pages without JavaScript show it; each formula also carries its TeX in `data-tex` and the pages' vendored KaTeX
(static/vendor/katex, static/js/richtext.js) re-renders it for the nicer typesetting. Never a CDN.
"""

from __future__ import annotations

import html
import re
import secrets
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_md.disable("image")

TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "del", "sub", "sup", "span",
}  # fmt: skip
# h1/h2 are the page's own headings: a teacher's "# Title" is shown as h3 (see _demote_headings).
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}, "code": {"class"}}
URL_SCHEMES = {"http", "https", "mailto"}

MATH_TAGS = {
    "math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot",
    "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "semantics",
    "annotation", "merror",
}  # fmt: skip
MATH_ATTRIBUTES = {
    "math": {"display", "xmlns"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "largeop", "movablelimits", "accent", "form"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mspace": {"width", "height", "depth"},
    "mtable": {"columnalign", "rowspacing", "columnspacing", "displaystyle"},
    "mtd": {"columnalign"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "mfrac": {"linethickness"},
    "menclose": {"notation"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "annotation": {"encoding"},
}

# Code first (no math inside code), then $$..$$, \[..\], \(..\), and $..$ (pandoc's rule: no space just inside
# the dollars and no digit right after the closing one, so "costs $5 and $6" stays text).
_MATH = re.compile(
    r"(?P<code>```[\s\S]*?```|`[^`\n]+`)"
    r"|\$\$(?P<block>[\s\S]+?)\$\$"
    r"|\\\[(?P<block2>[\s\S]+?)\\\]"
    r"|\\\((?P<inline2>[\s\S]+?)\\\)"
    r"|(?<![\\$\w])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?!\d)"
)
MAX_TEX = 2_000


def _math_html(tex: str, *, display: bool) -> str:
    tex = tex.strip()
    try:
        from latex2mathml.converter import convert

        mathml = convert(tex[:MAX_TEX], display="block" if display else "inline")
        body = nh3.clean(mathml, tags=MATH_TAGS, attributes=MATH_ATTRIBUTES, url_schemes=set(), link_rel=None)
    except Exception:  # a formula latex2mathml cannot read is shown as its TeX
        body = f"<code>{html.escape(tex)}</code>"
    kind = "math math-display" if display else "math"
    return f'<span class="{kind}" data-tex="{html.escape(tex, quote=True)}">{body}</span>'


def _protect_math(text: str) -> tuple[str, dict[str, str]]:
    nonce = secrets.token_hex(4)
    found: dict[str, str] = {}

    def replace(m: re.Match) -> str:
        if m.group("code"):
            return m.group(0)
        display = m.group("block") is not None or m.group("block2") is not None
        tex = next(g for g in (m.group("block"), m.group("block2"), m.group("inline2"), m.group("inline")) if g)
        key = f"MATH{nonce}X{len(found)}Z"
        found[key] = _math_html(tex, display=display)
        return key

    return _MATH.sub(replace, text), found


def _demote_headings(rendered: str) -> str:
    return re.sub(r"<(/?)h([12])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 2}>", rendered)


def _clean(rendered: str) -> str:
    return nh3.clean(
        rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"
    )


@lru_cache(maxsize=4096)
def _render(text: str, inline: bool) -> str:
    protected, maths = _protect_math(text)
    rendered = _md.renderInline(protected) if inline else _md.render(protected)
    out = _clean(_demote_headings(rendered))
    for key, value in maths.items():
        out = out.replace(key, value)
    return out


def render(text: str | None, *, inline: bool = False) -> SafeString:
    """`text` (a teacher's Markdown with math) as safe HTML. `inline`: no paragraphs (options, one-liners)."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(str(text), inline))  # noqa: S308 - sanitised by nh3 above


def plain(text: str | None) -> str:
    """The text without Markdown markup, for places that show text only (CSV exports, e-mails, titles)."""
    return html.unescape(nh3.clean(_md.renderInline(str(text or "")), tags=set())).strip()
