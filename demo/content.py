"""What the demo school holds: its people, classes, question bank and quizzes. Plain data; demo.school builds it
through the services."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from accounts.claim_codes import CLAIM_CODE_ALPHABET, CLAIM_CODE_LENGTH
from quizzes.models import Difficulty, QuestionType, QuizStatus

ADMIN_EMAIL, ADMIN_NAME, ADMIN_PASSWORD = "admin@school.test", "Ada Admin", "admin123"
TEACHER_PASSWORD = "teacher123"
STUDENT_PASSWORD = "student123"


@dataclass(frozen=True)
class TeacherSpec:
    email: str
    name: str
    subject: str
    department: str


TEACHERS = [
    TeacherSpec("maths@school.test", "Mary Mathews", "Mathematics", "Sciences"),
    TeacherSpec("science@school.test", "Sam Newton", "Science", "Sciences"),
    TeacherSpec("english@school.test", "Emma Austen", "English", "Humanities"),
]
MATHS, SCIENCE, ENGLISH = range(3)

ACADEMIC_YEAR = "2026-2027"
CLASSES = [("Class 10", "A"), ("Class 10", "B"), ("Class 11", "A")]
# Every teacher teaches their subject to every class except English, which only Class 10 has.
NOT_TAUGHT = {(ENGLISH, 2)}  # (teacher index, class index)

STUDENTS_PER_CLASS = 20
FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "David",
    "Ella",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
]
LAST = ["Johnson", "Okafor", "Nguyen", "Schmidt"]
UNCLAIMED_EVERY = 6  # every sixth student has not claimed their account yet (seed_demo prints their claim codes)
CLAIMED_AGO = timedelta(days=90)  # the others claimed theirs at the start of term, before the first quiz


@dataclass(frozen=True)
class StudentSpec:
    registration_number: str
    name: str
    email: str
    parent_email: str
    class_index: int
    claimed: bool


def students() -> list[StudentSpec]:
    specs = []
    n = 0
    for class_index in range(len(CLASSES)):
        for k in range(STUDENTS_PER_CLASS):
            n += 1
            first, last = FIRST[k], LAST[(k + class_index) % len(LAST)]
            email = "alice.johnson@school.test" if n == 1 else f"{first}.{last}{'' if n <= 20 else n}@school.test"
            specs.append(
                StudentSpec(
                    registration_number=f"STU2026{n:03d}",
                    name=f"{first} {last}",
                    email=email.lower(),
                    parent_email=f"parent.{last.lower()}{n}@example.test",
                    class_index=class_index,
                    claimed=n % UNCLAIMED_EVERY != 0,
                )
            )
    return specs


def claim_code(registration_number: str) -> str:
    """The claim slip of an unclaimed demo student: fixed (derived from the number), so every `make run` can print
    it, and as public as the demo's passwords. A real school's codes are random (accounts.claim_codes)."""
    digest = hashlib.sha256(f"quizsite-demo-claim:{registration_number}".encode()).digest()
    raw = "".join(CLAIM_CODE_ALPHABET[b % len(CLAIM_CODE_ALPHABET)] for b in digest[:CLAIM_CODE_LENGTH])
    return f"{raw[:5]}-{raw[5:]}"


# --- the question bank -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionSpec:
    teacher: int
    data: dict  # what the question form sends to quizzes.services.question_create


def _mcq(teacher, topic, text, options, correct, *, marks=2, difficulty=Difficulty.EASY) -> QuestionSpec:
    data = {"type": QuestionType.MCQ, "options": options, "correct_answer": correct}
    return QuestionSpec(teacher, {**data, "topic": topic, "difficulty": difficulty, "marks": marks, "text": text})


def _true_false(teacher, topic, text, correct, *, marks=1, difficulty=Difficulty.EASY) -> QuestionSpec:
    data = {"type": QuestionType.TRUE_FALSE, "options": ["True", "False"], "correct_answer": correct}
    return QuestionSpec(teacher, {**data, "topic": topic, "difficulty": difficulty, "marks": marks, "text": text})


def _short(teacher, topic, text, accepted, *, marks, difficulty) -> QuestionSpec:
    data = {"type": QuestionType.SHORT_ANSWER, "accepted_answers": accepted}
    return QuestionSpec(teacher, {**data, "topic": topic, "difficulty": difficulty, "marks": marks, "text": text})


def _descriptive(teacher, topic, text, sample, rubric, *, difficulty, marks=5) -> QuestionSpec:
    data = {"type": QuestionType.DESCRIPTIVE, "sample_answer": sample, "marking_rubric": rubric}
    return QuestionSpec(teacher, {**data, "topic": topic, "difficulty": difficulty, "marks": marks, "text": text})


_MEDIUM, _HARD = Difficulty.MEDIUM, Difficulty.HARD
_SCIENCE_RUBRIC = "Key terms used correctly (2), explanation complete (2), clear writing (1)."
_WRITING_SAMPLE = "A clear topic sentence, vivid details and a closing sentence."
_WRITING_RUBRIC = "Structure (2), detail (2), spelling and grammar (1)."

QUESTIONS = [
    _mcq(MATHS, "Arithmetic", "What is 7 × 8?", ["54", "56", "64", "48"], 1),
    _mcq(MATHS, "Arithmetic", "Which of these is a prime number?", ["21", "27", "29", "33"], 2),
    _mcq(MATHS, "Arithmetic", "What is the square root of 144?", ["11", "12", "13", "14"], 1),
    _mcq(MATHS, "Arithmetic", "Solve for x: 2x + 6 = 14", ["3", "4", "5", "8"], 1),
    _mcq(MATHS, "Arithmetic", "How many degrees are in a triangle's angles together?", ["90", "180", "270", "360"], 1),
    _mcq(MATHS, "Arithmetic", "What is 15% of 200?", ["15", "20", "30", "45"], 2),
    _true_false(MATHS, "Reasoning", "Every square is a rectangle.", 0, difficulty=_MEDIUM),
    _true_false(MATHS, "Reasoning", "Zero is a positive number.", 1, difficulty=_MEDIUM),
    _true_false(MATHS, "Reasoning", "The sum of two odd numbers is even.", 0, difficulty=_MEDIUM),
    _short(MATHS, "Geometry", "What is the value of π to two decimal places?", ["3.14"], marks=2, difficulty=_MEDIUM),
    _short(
        MATHS,
        "Geometry",
        "Name the longest side of a right-angled triangle.",
        ["hypotenuse", "the hypotenuse"],
        marks=2,
        difficulty=_MEDIUM,
    ),
    _short(MATHS, "Geometry", "What do we call a polygon with six sides?", ["hexagon"], marks=2, difficulty=_MEDIUM),
    _descriptive(
        MATHS,
        "Reasoning",
        "Explain why the angles of a triangle add up to 180 degrees.",
        "Draw a line through one vertex parallel to the opposite side; alternate angles are equal, "
        "and the three angles then form a straight line.",
        "2 marks: parallel line construction. 2 marks: alternate angles. 1 mark: conclusion.",
        difficulty=_HARD,
    ),
    _mcq(
        SCIENCE,
        "Biology",
        "What gas do plants absorb from the air?",
        ["Oxygen", "Nitrogen", "Carbon dioxide", "Helium"],
        2,
    ),
    _mcq(SCIENCE, "Physics", "What is the chemical symbol for water?", ["H2O", "CO2", "O2", "NaCl"], 0),
    _mcq(SCIENCE, "Physics", "Which planet is closest to the Sun?", ["Venus", "Earth", "Mercury", "Mars"], 2),
    _mcq(
        SCIENCE,
        "Biology",
        "What part of the cell contains genetic material?",
        ["Nucleus", "Membrane", "Ribosome", "Wall"],
        0,
    ),
    _mcq(SCIENCE, "Physics", "What force keeps us on the ground?", ["Magnetism", "Gravity", "Friction", "Tension"], 1),
    _true_false(SCIENCE, "Physics", "Sound travels faster than light.", 1),
    _true_false(SCIENCE, "Physics", "Water boils at 100 °C at sea level.", 0),
    _true_false(SCIENCE, "Physics", "Humans have four lungs.", 1),
    _short(
        SCIENCE,
        "Biology",
        "What is the powerhouse of the cell?",
        ["mitochondria", "mitochondrion"],
        marks=2,
        difficulty=_MEDIUM,
    ),
    _short(
        SCIENCE,
        "Biology",
        "What is the freezing point of water in Celsius?",
        ["0", "0 °C", "zero"],
        marks=2,
        difficulty=_MEDIUM,
    ),
    _short(
        SCIENCE,
        "Biology",
        "Which organ pumps blood around the body?",
        ["heart", "the heart"],
        marks=2,
        difficulty=_MEDIUM,
    ),
    _descriptive(
        SCIENCE,
        "Biology",
        "Describe photosynthesis in your own words.",
        "Plants use light energy to turn carbon dioxide and water into glucose and oxygen.",
        _SCIENCE_RUBRIC,
        difficulty=_HARD,
    ),
    _descriptive(
        SCIENCE,
        "Physics",
        "Explain the difference between weight and mass.",
        "Mass is the amount of matter; weight is the force of gravity on that mass.",
        _SCIENCE_RUBRIC,
        difficulty=_HARD,
    ),
    _mcq(ENGLISH, "Grammar", "Which word is a noun?", ["quickly", "happiness", "run", "blue"], 1),
    _mcq(ENGLISH, "Grammar", "Choose the correct spelling.", ["recieve", "receive", "receeve", "riceive"], 1),
    _mcq(ENGLISH, "Grammar", "Which is a synonym of 'rapid'?", ["slow", "fast", "late", "weak"], 1),
    _mcq(ENGLISH, "Literature", "Who wrote 'Romeo and Juliet'?", ["Dickens", "Austen", "Shakespeare", "Orwell"], 2),
    _mcq(
        ENGLISH,
        "Grammar",
        "Which sentence is in the past tense?",
        ["I walk home.", "I walked home.", "I will walk home.", "I am walking home."],
        1,
    ),
    _mcq(
        ENGLISH,
        "Grammar",
        "What is an adjective?",
        ["A describing word", "An action word", "A naming word", "A joining word"],
        0,
    ),
    _true_false(ENGLISH, "Grammar", "'Their' and 'there' mean the same thing.", 1),
    _true_false(ENGLISH, "Grammar", "A haiku has three lines.", 0),
    _true_false(ENGLISH, "Grammar", "A verb can describe an action.", 0),
    _short(ENGLISH, "Grammar", "What is the plural of 'child'?", ["children"], marks=1, difficulty=Difficulty.EASY),
    _short(
        ENGLISH,
        "Grammar",
        "What punctuation mark ends a question?",
        ["question mark", "?"],
        marks=1,
        difficulty=Difficulty.EASY,
    ),
    _short(
        ENGLISH, "Grammar", "What is the opposite of 'ancient'?", ["modern", "new"], marks=1, difficulty=Difficulty.EASY
    ),
    _descriptive(
        ENGLISH,
        "Writing",
        "Write a short paragraph describing your favourite place.",
        _WRITING_SAMPLE,
        _WRITING_RUBRIC,
        difficulty=_MEDIUM,
    ),
    _descriptive(
        ENGLISH,
        "Writing",
        "What is the main theme of a story you read this term? Explain with an example.",
        _WRITING_SAMPLE,
        _WRITING_RUBRIC,
        difficulty=_MEDIUM,
    ),
]


# --- quizzes ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuizPlan:
    teacher: int
    title: str
    status: str  # where the quiz ends up: draft, published (open for 30 days) or archived (closed after a week)
    classes: list[int]
    questions: slice  # of the teacher's questions, in bank order
    days_ago: int | None = None  # when it opened
    sat_by: float = 0.0  # the share of its claimed students who have taken it
    hand_graded: int = 0  # attempts whose written answers the teacher has marked so far
    show_answers: bool = True  # show_answers_after_submission


QUIZZES = [
    QuizPlan(
        MATHS, "Arithmetic check-up", QuizStatus.PUBLISHED, [0, 1], slice(0, 12), 2, sat_by=0.7, show_answers=False
    ),
    QuizPlan(MATHS, "Geometry and reasoning (draft)", QuizStatus.DRAFT, [2], slice(6, 13)),
    QuizPlan(
        SCIENCE,
        "Science basics",
        QuizStatus.PUBLISHED,
        [0, 1, 2],
        slice(0, 13),
        3,
        sat_by=0.7,
        hand_graded=4,
        show_answers=False,
    ),
    QuizPlan(SCIENCE, "Autumn term science review", QuizStatus.ARCHIVED, [2], slice(0, 11), 60, sat_by=0.7),
    QuizPlan(ENGLISH, "Grammar warm-up", QuizStatus.PUBLISHED, [0], slice(0, 12), 1, sat_by=0.7),
    QuizPlan(ENGLISH, "Creative writing", QuizStatus.DRAFT, [1], slice(12, 14)),
]
# --- issue 15: the new question types, with formulas (quizzes/types/__init__.py has the shapes) ---------------------


def _typed(teacher, topic, qtype, text, *, marks=2, difficulty=_MEDIUM, **fields) -> QuestionSpec:
    data = {"type": qtype, "text": text, "topic": topic, "difficulty": difficulty, "marks": marks, **fields}
    return QuestionSpec(teacher, data)


NEW_TYPE_QUESTIONS = [
    _typed(MATHS, "Algebra", "numeric", "Solve for $x$: $$3x + 5 = 17$$", details={"answers": [{"value": 4}]}),
    _typed(
        MATHS,
        "Algebra",
        "numeric",
        "The roots of $x^2 - 2 = 0$ are $\\pm\\sqrt{2}$. Give the positive root to two decimals.",
        details={"answers": [{"value": 1.41, "tolerance": 0.005}, {"value": 1.4, "tolerance": 0.05, "fraction": 0.5}]},
        general_feedback="$\\sqrt{2} \\approx 1.41421$; rounding to 1.4 earns half the marks.",
    ),
    _typed(
        MATHS,
        "Arithmetic",
        "multiple_response",
        "Which of these numbers are **prime**?",
        options=["2", "9", "11", "15", "17"],
        details={"correct": [0, 2, 4], "scoring": "partial", "feedback": ["", "9 = 3 × 3", "", "15 = 3 × 5", ""]},
        marks=3,
    ),
    _typed(
        MATHS,
        "Fractions",
        "ordering",
        "Put these fractions in order, smallest first.",
        details={"items": ["$\\frac{1}{8}$", "$\\frac{1}{4}$", "$\\frac{1}{3}$", "$\\frac{1}{2}$", "$\\frac{3}{4}$"]},
        marks=4,
    ),
    _typed(
        MATHS,
        "Geometry",
        "cloze",
        "A circle's area is $A = \\pi r^2$. With $r = 1$ the area is [[1]] (write pi), and a square with side 3 has "
        "an area of [[2]].",
        details={"blanks": [{"id": 1, "answers": ["pi", "π", "3.14*"]}, {"id": 2, "answers": ["9"]}]},
    ),
    _typed(
        SCIENCE,
        "Chemistry",
        "matching",
        "Match each formula with its substance.",
        details={
            "pairs": [
                {"prompt": "H₂O", "answer": "Water"},
                {"prompt": "CO₂", "answer": "Carbon dioxide"},
                {"prompt": "NaCl", "answer": "Table salt"},
            ],
            "distractors": ["Oxygen"],
        },
        marks=3,
    ),
    _typed(
        SCIENCE,
        "Physics",
        "numeric",
        "A stone falls freely for 2 s. Using $v = g t$ with $g = 9.8\\,\\mathrm{m/s^2}$, how fast is it falling?",
        details={"answers": [{"value": 19.6, "tolerance": 0.1}, {"value": 20, "tolerance": 0.5, "fraction": 0.5}]},
        general_feedback="$v = 9.8 \\times 2 = 19.6\\,\\mathrm{m/s}$.",
    ),
    _typed(
        SCIENCE,
        "Space",
        "ordering",
        "Order the planets from the Sun outwards.",
        details={"items": ["Mercury", "Venus", "Earth", "Mars", "Jupiter"], "scoring": "partial"},
        marks=4,
    ),
    _typed(
        SCIENCE,
        "Physics",
        "cloze",
        "Water boils at [[1]] °C and freezes at [[2]] °C at sea level.",
        details={"blanks": [{"id": 1, "answers": ["100"]}, {"id": 2, "answers": ["0", "zero"]}]},
    ),
    _typed(
        SCIENCE,
        "Biology",
        "mcq",
        "Which gas do plants take in for photosynthesis?",
        options=["Carbon dioxide", "Oxygen", "Nitrogen", "Carbon monoxide"],
        correct_answer=0,
        details={
            "fractions": [1, 0, 0, 0.25],
            "feedback": ["Right: CO₂ + water + light → sugar.", "Plants give oxygen off.", "", "Close, but toxic."],
        },
    ),
]
QUESTIONS += NEW_TYPE_QUESTIONS


def _speed_time_graph():
    """A speed-time graph drawn with Pillow: a straight line from 0 to 19.6 m/s over 2 s."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 220), "white")
    pen = ImageDraw.Draw(image)
    pen.line([(40, 190), (300, 190)], fill="black", width=2)  # time axis
    pen.line([(40, 190), (40, 20)], fill="black", width=2)  # speed axis
    pen.line([(40, 190), (280, 40)], fill="#1f6feb", width=4)
    pen.text((270, 196), "t (s)", fill="black")
    pen.text((4, 12), "v (m/s)", fill="black")
    pen.text((282, 30), "19.6", fill="black")
    pen.text((272, 196 - 16), "2", fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("graph.png", out.getvalue(), content_type="image/png")


# Question text -> (alt text, a function giving the image file) for the demo's images.
IMAGES = {
    NEW_TYPE_QUESTIONS[6].data["text"]: (
        "Speed-time graph: a straight line rising from 0 m/s at 0 s to 19.6 m/s at 2 s.",
        _speed_time_graph,
    )
}
QUIZZES += [
    QuizPlan(MATHS, "Formulas and new question types", QuizStatus.PUBLISHED, [0, 1], slice(13, 18), 1, sat_by=0.6),
    QuizPlan(SCIENCE, "Match, order and fill in", QuizStatus.PUBLISHED, [0, 1, 2], slice(13, 18), 1, sat_by=0.6),
]

OPEN_FOR = timedelta(days=30)
ARCHIVED_AFTER = timedelta(days=7)
TIME_LIMIT_MINUTES = 20

# --- issue 20: the question-quality loop and collusion leads --------------------------------------------------
# The science teacher dropped a question of the archived review for ambiguity (the bank's history shows it next
# year), and the leads of every quiz with finished attempts are computed, as after a quiz closes.
QUALITY_FIX = ("Autumn term science review", 1, "drop", "Ambiguous wording: two of the options could be read as right")


# --- issue 18: questions brought from Moodle as a GIFT file (imported through quizzes.services) ------------------
IMPORTED_GIFT_TEACHER = SCIENCE  # their bank shows a topic imported from another tool
IMPORTED_GIFT = """// Exported from the school's old Moodle course.
$CATEGORY: $course$/top/Imported from Moodle

::Water cycle::Water vapour turning into liquid water is called {=condensation ~evaporation ~precipitation}.

::Planets::Mars is the largest planet of the solar system.{F}

::Symbols::The chemical symbol of iron is {=Fe =fe}.

::Essay::Describe one way your town could save water. {}
"""
# --- LTI (issue 19): the school's Moodle as registered on /lti/admin/ (an example address: no launch reaches it) ---
LTI_PLATFORM = {
    "name": "School Moodle (example)",
    "issuer": "https://moodle.demo-school.example",
    "client_id": "quizsite-demo-client",
    "auth_login_url": "https://moodle.demo-school.example/mod/lti/auth.php",
    "auth_token_url": "https://moodle.demo-school.example/mod/lti/token.php",
    "jwks_url": "https://moodle.demo-school.example/mod/lti/certs.php",
    "deployment_ids": ["1"],
    "create_users": False,
    "is_active": True,
}

# Issue 17, fair exams: the first claimed student of class 0 has extra time (x1.5) and is exempt from focus-loss
# violations (a screen reader); the first unclaimed student of class 0 missed "Arithmetic check-up" and has a
# personal window for it.
ACCOMMODATION = {
    "time_multiplier": "1.5",
    "exempt_from_focus_violations": True,
    "reason": "IEP 2026: extended time, screen reader",
}
PERSONAL_WINDOW_QUIZ = "Arithmetic check-up"
PERSONAL_WINDOW = timedelta(days=3)

# --- Background reports (issue 22) ------------------------------------------------------------------------------
# The maths teacher has asked for a class pack of the arithmetic check-up for Class 10 A (rendered by the worker, or
# in-process under `make run`), so the Reports page has a finished job to download.
@dataclass
class ReportPlan:
    teacher: int
    quiz_title: str
    kind: str
    class_index: int | None = None


REPORTS = [ReportPlan(MATHS, "Arithmetic check-up", "class_pack", 0)]

# Issue 16: the first teacher tags a few bank questions "revision" and drafts a quiz whose random slot draws
# RANDOM_PRACTICE[2] of them per student (the builder shows the pool, the versions and a preview draw).
RANDOM_PRACTICE = ("Revision practice (random questions)", "revision", 3)
