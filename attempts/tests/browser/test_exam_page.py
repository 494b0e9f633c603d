"""The exam page in a real browser: autosave across reloads and offline spells, the violation detectors up to
auto-submit, the timer running out, the submit confirmation, keyboard use on a phone-sized screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, SubmitReason, Violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_exam(page, quiz):
    page.goto(f"/attempts/quiz/{quiz.pk}/")
    page.get_by_role("button", name="Start quiz").click()
    # The questions stay behind the fullscreen gate; no warning before anything happened.
    expect(page.locator("#exam-body")).to_be_hidden()
    expect(page.locator("#exam-banner")).to_be_hidden()
    page.get_by_role("button", name="Start in fullscreen").click()
    expect(page.locator("#exam-gate")).to_be_hidden()
    expect(page.locator("#exam-refullscreen")).to_be_hidden()
    return QuizAttempt.objects.get(quiz=quiz)


def go_to(page, number):
    page.locator(f'.navq[data-goto="{number - 1}"]').click()


def expect_saved(page):
    expect(page.locator("#exam-save")).to_have_attribute("data-state", "saved", timeout=10_000)


def answer_of(attempt, order_index):
    qid = attempt.question_order[order_index]
    return StudentAnswer.objects.filter(attempt=attempt, question_id=qid).first()


def test_answers_are_saved_and_survive_a_reload(browser_as, student, quiz):
    page = browser_as(student)
    attempt = open_exam(page, quiz)
    page.get_by_label("3/4").check()
    go_to(page, 3)
    page.locator("#q-2 input[type=text]").fill("1/2")
    expect_saved(page)
    assert answer_of(attempt, 0).answer_option == 1 and answer_of(attempt, 2).answer_text == "1/2"
    expect(page.locator('.navq[data-goto="0"]')).to_have_class("navq answered")

    # Typed, then reloaded at once (before the debounce sent it): the outbox keeps it and sends it after reload.
    go_to(page, 4)
    page.locator("#q-3 textarea").fill("Two quarters make a half.")
    page.reload()
    page.get_by_role("button", name="Start in fullscreen").click()
    expect(page.get_by_label("3/4")).to_be_checked()
    go_to(page, 4)
    expect(page.locator("#q-3 textarea")).to_have_value("Two quarters make a half.")
    expect_saved(page)
    assert answer_of(attempt, 3).answer_text == "Two quarters make a half."

    # Submit asks first and lists what is unanswered.
    page.get_by_role("button", name="Submit quiz").click()
    dialog = page.locator("#exam-confirm")
    expect(dialog).to_contain_text("1 question is not answered")
    expect(dialog).to_contain_text("Question 2")
    page.get_by_role("button", name="Keep working").click()
    page.get_by_role("button", name="Submit quiz").click()
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator("#result-summary")).to_contain_text("Awaiting grading")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 4


def test_offline_answers_are_kept_and_reach_the_server(browser_as, student, quiz):
    page = browser_as(student)
    attempt = open_exam(page, quiz)
    page.context.set_offline(True)
    page.get_by_label("3/4").check()
    expect(page.locator("#exam-save")).to_have_text("Offline — answers kept on this device", timeout=10_000)
    go_to(page, 2)
    page.get_by_label("True").check()
    assert not StudentAnswer.objects.filter(attempt=attempt).exists()
    page.context.set_offline(False)
    expect_saved(page)
    assert answer_of(attempt, 0).answer_option == 1
    assert answer_of(attempt, 1).answer_option == 0


def test_a_busy_server_is_retried_after_its_retry_after(browser_as, student, quiz):
    """Under overload the server refuses a save with 503 + Retry-After: the page keeps the answer, waits as told
    (not its usual 3 s) and sends it again; nothing is lost."""
    import re
    import time

    page = browser_as(student)
    attempt = open_exam(page, quiz)
    sent = []

    def busy_once(route):
        sent.append(time.monotonic())
        if len(sent) == 1:
            route.fulfill(
                status=503,
                headers={"Retry-After": "5", "Content-Type": "application/json"},
                body='{"detail": "The server is busy."}',
            )
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/attempts/[^/]+/answer/?$"), busy_once)
    page.get_by_label("3/4").check()
    expect(page.locator("#exam-save")).to_have_text("Offline — answers kept on this device", timeout=10_000)
    assert not StudentAnswer.objects.filter(attempt=attempt).exists()
    expect_saved(page)
    assert answer_of(attempt, 0).answer_option == 1
    assert len(sent) == 2 and 4.9 <= sent[1] - sent[0] <= 8


def simulate_tab_switch(page):
    """What leaving the tab looks like to the page: hidden + blur together, then back."""
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
          document.dispatchEvent(new Event('visibilitychange'));
          window.dispatchEvent(new Event('blur'));
        }"""
    )
    page.wait_for_timeout(700)
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
          document.dispatchEvent(new Event('visibilitychange'));
          window.dispatchEvent(new Event('focus'));
        }"""
    )


def test_violations_count_once_per_action_and_auto_submit(browser_as, student, quiz):
    page = browser_as(student)
    attempt = open_exam(page, quiz)
    page.wait_for_timeout(1100)  # past the moment of entering fullscreen
    simulate_tab_switch(page)
    expect(page.locator("#exam-banner")).to_contain_text("Violation 1 of 3")
    assert list(Violation.objects.filter(attempt=attempt).values_list("violation_type", flat=True)) == ["tab_switch"]

    page.locator(".q-text").first.click(button="right")
    expect(page.locator("#exam-banner")).to_contain_text("Violation 2 of 3: right-clicking is not allowed")

    page.locator(".q-text").first.dispatch_event("copy")
    ended = page.locator("#exam-ended")
    expect(ended).to_be_visible()
    expect(ended).to_contain_text("submitted automatically because it reached 3 violations")
    attempt.refresh_from_db()
    assert attempt.auto_submitted_due_to_violations and attempt.submit_reason == SubmitReason.VIOLATIONS
    assert attempt.total_violations == 3
    page.get_by_role("link", name="See your result").click()
    expect(page.locator("#end-reason")).to_contain_text("violation limit")


def test_a_second_window_is_a_violation(browser_as, student, quiz):
    page = browser_as(student)
    attempt = open_exam(page, quiz)
    second = page.context.new_page()
    second.goto(f"/attempts/{attempt.pk}/")
    second.get_by_role("button", name="Start in fullscreen").click()
    # The window already open is told; the newcomer reports it, once.
    expect(page.locator("#exam-banner")).to_contain_text("opened in another window")
    expect(second.locator("#exam-banner")).to_contain_text("Violation 1 of 3: the quiz is open in another window")
    second.wait_for_timeout(500)
    assert list(Violation.objects.filter(attempt=attempt).values_list("violation_type", flat=True)) == [
        "multiple_windows"
    ]


def exam_ending_in(page, quiz, *, seconds):
    """The exam open again after its deadline was moved to `seconds` from now."""
    attempt = open_exam(page, quiz)
    attempt.deadline = timezone.now() + timedelta(seconds=seconds)
    attempt.save(update_fields=["deadline"])
    page.reload()
    page.get_by_role("button", name="Start in fullscreen").click()
    return attempt


def test_the_timer_running_out_submits(browser_as, student, quiz):
    page = browser_as(student)
    attempt = exam_ending_in(page, quiz, seconds=4)
    page.get_by_label("3/4").check()
    ended = page.locator("#exam-ended")
    expect(ended).to_be_visible(timeout=15_000)
    expect(ended).to_contain_text("Time ran out")
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.IN_PROGRESS
    assert attempt.submitted_at == attempt.deadline and attempt.submit_reason == SubmitReason.DEADLINE
    assert answer_of(attempt, 0).answer_option == 1 and answer_of(attempt, 0).marks_awarded == 2


def test_time_extended_by_the_teacher_keeps_the_exam_going(browser_as, student, quiz):
    page = browser_as(student)
    attempt = exam_ending_in(page, quiz, seconds=3)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(minutes=5))
    expect(page.locator("#exam-banner")).to_contain_text("more time", timeout=10_000)
    expect(page.locator("#exam-timer")).to_contain_text("4:5")
    expect(page.locator("#exam-ended")).to_be_hidden()
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS


def test_teacher_events_move_the_timer_or_end_the_exam(browser_as, student, quiz):
    """What grading's live events (ws/attempt/<id>) do to the page: an extension moves the clock, a force-submit
    ends the exam with the reason."""
    page = browser_as(student)
    open_exam(page, quiz)
    page.evaluate("() => ExamPage.onServerEvent({type: 'time_extended', data: {minutes: 10, seconds_remaining: 2400}})")
    expect(page.locator("#exam-banner")).to_contain_text("Your teacher gave you 10 more minutes.")
    expect(page.locator("#exam-timer")).to_contain_text("39:5")
    page.evaluate("() => ExamPage.onServerEvent({type: 'attempt_force_submitted', data: {}})")
    expect(page.locator("#exam-ended")).to_contain_text("Your teacher ended your quiz.")


def test_keyboard_only_on_a_phone(browser_as, student, quiz):
    page = browser_as(student, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page.goto(f"/attempts/quiz/{quiz.pk}/")
    page.get_by_role("button", name="Start quiz").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Start in fullscreen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#exam-gate")).to_be_hidden()
    page.keyboard.press("ArrowDown")  # the focused option group: move to the second option
    expect(page.get_by_label("3/4")).to_be_checked()
    page.locator("#exam-next").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#q-1")).to_be_visible()
    expect_saved(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    attempt = QuizAttempt.objects.get(quiz=quiz)
    assert answer_of(attempt, 0).answer_option == 1


def test_exam_core_helpers(browser_as, student, quiz):
    """The pure parts of exam.js: clock format, the outbox's ordering and acknowledgement, one report per away
    episode."""
    page = browser_as(student)
    open_exam(page, quiz)
    result = page.evaluate(
        """async () => {
          const C = window.ExamCore;
          const store = new Map();
          const storage = {
            getItem: k => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: k => store.delete(k),
          };
          const box = new C.Outbox(storage, 'a', 10);
          box.put({question_id: 'q1', answer_option: 1});
          box.put({question_id: 'q2', answer_text: 'x'});
          box.put({question_id: 'q1', answer_option: 2});
          const order = box.batch().map(a => [a.question_id, a.client_seq]);
          box.ack([{question_id: 'q1', client_seq: 12}]);   // an older ack does not drop the newer q1
          const afterOldAck = box.size();
          const reloaded = new C.Outbox(storage, 'a', 0);    // survives a "reload"
          const reports = [];
          const t = new C.AwayTracker((k, e) => reports.push([k, typeof e.duration_ms]), {windowMs: 50});
          t.signal('focus_lost'); t.signal('tab_switch'); t.signal('fullscreen_exit');
          await new Promise(r => setTimeout(r, 120));
          t.signal('focus_lost');                            // still away: not a new action
          t.back(); t.signal('focus_lost');                  // reported on the return, with its duration
          await new Promise(r => setTimeout(r, 120));
          t.back();
          t.signal('fullscreen_exit');                       // still on the page: reported at once, no duration
          await new Promise(r => setTimeout(r, 120));
          t.back();
          return {order, afterOldAck, reloadedSeq: reloaded.seq, reloadedSize: reloaded.size(), reports,
                  clock: [C.formatClock(0), C.formatClock(59.2), C.formatClock(3725)]};
        }"""
    )
    assert result["order"] == [["q2", 12], ["q1", 13]]
    assert result["afterOldAck"] == 2 and result["reloadedSeq"] == 13 and result["reloadedSize"] == 2
    assert result["reports"] == [["tab_switch", "number"], ["focus_lost", "number"], ["fullscreen_exit", "undefined"]]
    assert result["clock"] == ["0:00", "1:00", "1:02:05"]
