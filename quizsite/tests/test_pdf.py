import pytest

from quizsite import pdf


def test_static_urls_resolve_to_files_and_nothing_else_is_fetched():
    assert pdf.static_file_for("file:///static/css/app.css").endswith("static/css/app.css")
    assert pdf.static_file_for("/static/css/app.css?v=1").endswith("static/css/app.css")
    assert pdf.static_file_for("http://169.254.169.254/latest/meta-data") is None
    fetcher = pdf._fetcher()
    assert fetcher.fetch("file:///static/css/app.css").url.endswith("app.css")
    with pytest.raises(ValueError):
        fetcher.fetch("http://169.254.169.254/latest/meta-data")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")


def test_render_pdf_applies_static_css_and_survives_hostile_urls(tmp_path, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    (tmp_path / "report_test.html").write_text(
        '<link rel="stylesheet" href="/static/css/app.css"><img src="http://169.254.169.254/x">'
        "<p>Report for {{ name }}</p>"
    )
    data = pdf.render_pdf("report_test.html", {"name": "Zoë"})
    assert data.startswith(b"%PDF")
