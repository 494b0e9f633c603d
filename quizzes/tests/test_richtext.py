"""Issue 15: safe rich text (quizsite/richtext.py): Markdown subset + LaTeX math, sanitised, one function."""

import pytest

from quizsite.richtext import plain, render
from tests.html_checks import live_markup

PAYLOADS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">a</a>',
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "$<img src=x onerror=alert(1)>$",
    "$$\\href{javascript:alert(1)}{x}$$",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    "![x](https://evil.example/pixel.png)",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "[x](JaVaScRiPt:alert(1))",
    "<<script>script>alert(1)<</script>/script>",
]


def assert_inert(html: str) -> None:
    problems = live_markup(html)
    assert not problems, f"live markup survived: {problems} in {html!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload):
    assert_inert(str(render(payload)))
    assert_inert(str(render(payload, inline=True)))
    assert_inert(str(render(f"Before {payload} after $x^2$")))


def test_markdown_subset_and_math():
    html = str(render("# Title\n\n**bold** *it* `code` [link](https://example.org)\n\n- a\n- b\n\n$\\frac{1}{2}$"))
    assert "<h3>Title</h3>" in html  # page headings stay the page's
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in html
    assert "<li>a</li>" in html
    assert 'data-tex="\\frac{1}{2}"' in html and "<mfrac>" in html  # MathML for pages without JS and PDFs


def test_math_delimiters_and_currency():
    for text in ("$x^2$", "\\(x^2\\)", "$$x^2$$", "\\[x^2\\]"):
        assert "<msup>" in str(render(text)), text
    assert "math" not in str(render("It costs $5 and $6 today."))
    assert "math" not in str(render("`$x$` is code"))
    assert "math-display" in str(render("$$E = mc^2$$"))


def test_unreadable_tex_is_shown_as_code():
    html = str(render("$\\frac{1}{$"))
    assert_inert(html)


def test_plain_text_for_selects_and_exports():
    assert plain("**water** <b>x</b>") == "water <b>x</b>"  # markup dropped, typed text kept as text
