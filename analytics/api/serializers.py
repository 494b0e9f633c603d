"""Output serializers of the analytics API: the shapes of the dashboards and the quiz analytics, so /api/schema/
describes every body the SPA reads, and every score, mark or percentage renders one way (ScoreField: a JSON
float, 2.0 and never 2). Maximum marks, pass marks and counts are the integers the quizzes API shows too.

The selectors build the figures (as dicts the pages render as well); these only say how they go out as JSON.
"""

from __future__ import annotations

from rest_framework import serializers

from analytics.selectors import ATTEMPT_MODES
from quizsite.api.fields import ScoreField

# Several apps have a `status`: a plain string here keeps drf-spectacular from naming a second enum after it.


class AnalyticsStudentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    registration_number = serializers.CharField()


class AnalyticsQuizRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    subject = serializers.CharField()


class AnalyticsUserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class AttemptResultSerializer(serializers.Serializer):
    """What one attempt of a student scored: the dashboards' recent lists and the quiz's student list."""

    student = AnalyticsStudentRefSerializer()
    attempt_number = serializers.IntegerField()
    score = ScoreField()
    total_marks = serializers.IntegerField(allow_null=True)
    percentage = ScoreField()
    status = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class AnalyticsAttemptSerializer(AttemptResultSerializer):
    """A finished attempt in a dashboard's recent list."""

    id = serializers.UUIDField()
    quiz = AnalyticsQuizRefSerializer()
    total_violations = serializers.IntegerField()


# --- GET /analytics/admin -----------------------------------------------------------------------------------------


class UserCountsSerializer(serializers.Serializer):
    admins = serializers.IntegerField()
    teachers = serializers.IntegerField()
    students = serializers.IntegerField()


class ActivitySerializer(serializers.Serializer):
    type = serializers.CharField(help_text='"audit" (an audit log entry) or "attempt_submitted"')
    action = serializers.CharField()
    entity_type = serializers.CharField()
    entity_id = serializers.UUIDField(allow_null=True)
    user = AnalyticsUserRefSerializer(allow_null=True)
    description = serializers.CharField()
    timestamp = serializers.DateTimeField()


class TopStudentSerializer(serializers.Serializer):
    student = AnalyticsStudentRefSerializer()
    class_name = serializers.CharField(allow_null=True)
    graded_attempts = serializers.IntegerField()
    average_score = ScoreField()


class TeacherBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    email = serializers.EmailField()
    subject = serializers.CharField()


class TeacherStatSerializer(serializers.Serializer):
    teacher = TeacherBriefSerializer()
    quizzes = serializers.IntegerField()
    classes = serializers.IntegerField()
    attempts = serializers.IntegerField()
    pending_grading = serializers.IntegerField()
    average_score = ScoreField()


class AdminAnalyticsSerializer(serializers.Serializer):
    total_users = UserCountsSerializer()
    total_quizzes = serializers.IntegerField()
    total_attempts = serializers.IntegerField()
    completed_attempts = serializers.IntegerField()
    attempts_in_progress = serializers.IntegerField()
    pending_grading = serializers.IntegerField()
    average_score = ScoreField()
    active_quizzes = serializers.IntegerField()
    recent_activity = ActivitySerializer(many=True)
    top_students = TopStudentSerializer(many=True)
    teacher_stats = TeacherStatSerializer(many=True)


# --- GET /analytics/teacher/{id} ----------------------------------------------------------------------------------


class DashboardTeacherSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    subject = serializers.CharField()


class QuizPerformanceQuizSerializer(AnalyticsQuizRefSerializer):
    status = serializers.CharField()


class QuizPerformanceSerializer(serializers.Serializer):
    quiz = QuizPerformanceQuizSerializer()
    attempts = serializers.IntegerField()
    graded_attempts = serializers.IntegerField()
    pending_grading = serializers.IntegerField()
    average_score = ScoreField()
    pass_rate = ScoreField()
    total_violations = serializers.IntegerField()


class TeacherAnalyticsSerializer(serializers.Serializer):
    teacher = DashboardTeacherSerializer()
    my_quizzes = serializers.IntegerField()
    my_classes = serializers.IntegerField()
    my_students = serializers.IntegerField()
    pending_grading = serializers.IntegerField()
    recent_attempts = AnalyticsAttemptSerializer(many=True)
    quiz_performance = QuizPerformanceSerializer(many=True)


# --- GET /analytics/student/{id} ----------------------------------------------------------------------------------


class DashboardStudentSerializer(AnalyticsStudentRefSerializer):
    class_name = serializers.CharField(allow_null=True)


class SubjectPerformanceSerializer(serializers.Serializer):
    subject = serializers.CharField()
    attempts = serializers.IntegerField()
    graded_attempts = serializers.IntegerField()
    average_score = ScoreField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()


class StudentAnalyticsSerializer(serializers.Serializer):
    student = DashboardStudentSerializer()
    total_attempts = serializers.IntegerField()
    graded_attempts = serializers.IntegerField()
    pending_grading = serializers.IntegerField()
    average_score = ScoreField()
    quizzes_passed = serializers.IntegerField()
    quizzes_failed = serializers.IntegerField()
    recent_results = AnalyticsAttemptSerializer(many=True)
    performance_by_subject = SubjectPerformanceSerializer(many=True)


# --- GET /analytics/quiz/{id} -------------------------------------------------------------------------------------


class AnalysedQuizSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    access_code = serializers.CharField()
    passing_percentage = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    question_count = serializers.IntegerField()
    total_marks = serializers.IntegerField()
    created_by = AnalyticsUserRefSerializer()


class HistogramBinSerializer(serializers.Serializer):
    range = serializers.CharField(help_text='"0-10" ... "90-100" (percent; the last bin includes 100)')
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    count = serializers.IntegerField()


class QuizTotalStatisticsSerializer(serializers.Serializer):
    """Moodle's test statistics on the totals of the fully graded attempts; null where undefined for the data."""

    attempts = serializers.IntegerField()
    max_total = ScoreField(places=4)
    mean = ScoreField(places=4)
    median = ScoreField(places=4)
    sd = ScoreField(places=4)
    skewness = ScoreField(places=4)
    kurtosis = ScoreField(places=4)
    cic = ScoreField(places=4, help_text="Coefficient of internal consistency (Cronbach's alpha), %")
    error_ratio = ScoreField(places=4)
    standard_error = ScoreField(places=4)


class AnalysedQuestionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    order_index = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    type = serializers.CharField()
    topic = serializers.CharField()
    difficulty = serializers.CharField()
    marks = serializers.IntegerField()


class ItemFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class QuestionStatisticsSerializer(serializers.Serializer):
    question = AnalysedQuestionSerializer()
    answered_count = serializers.IntegerField()
    correct_count = serializers.IntegerField()
    partially_correct_count = serializers.IntegerField()
    incorrect_count = serializers.IntegerField()
    pending_count = serializers.IntegerField()
    success_rate = ScoreField()
    average_marks = ScoreField()
    facility_index = ScoreField()
    standard_deviation = ScoreField()
    discrimination_index = ScoreField()
    discriminative_efficiency = ScoreField()
    effective_weight = ScoreField()
    doubtful = serializers.BooleanField()
    flags = ItemFlagSerializer(many=True)


class StudentPerformanceSerializer(AttemptResultSerializer):
    attempt_id = serializers.UUIDField()
    violations = serializers.IntegerField()
    auto_submitted_due_to_violations = serializers.BooleanField()


class ViolationSummarySerializer(serializers.Serializer):
    total_violations = serializers.IntegerField()
    by_type = serializers.DictField(child=serializers.IntegerField(), help_text="violation type -> count")
    labels = serializers.DictField(child=serializers.CharField(), help_text="violation type -> label")
    attempts_with_violations = serializers.IntegerField()
    auto_submitted_due_to_violations = serializers.IntegerField()


class QuizAnalyticsSerializer(serializers.Serializer):
    quiz = AnalysedQuizSerializer()
    attempts_mode = serializers.ChoiceField(choices=ATTEMPT_MODES)
    total_attempts = serializers.IntegerField()
    graded_attempts = serializers.IntegerField()
    pending_grading = serializers.IntegerField()
    students = serializers.IntegerField()
    average_score = ScoreField()
    highest_score = ScoreField()
    lowest_score = ScoreField()
    pass_rate = ScoreField()
    passed_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    score_distribution = HistogramBinSerializer(many=True)
    statistics = QuizTotalStatisticsSerializer()
    question_statistics = QuestionStatisticsSerializer(many=True)
    student_performance = StudentPerformanceSerializer(many=True)
    violation_summary = ViolationSummarySerializer()
