"""Issue 15: the CPU cost of validating one answer per type on the autosave path (attempts.autosave._clean_answer).

Run: DEBUG=true PYTHONPATH=$PWD .venv/bin/python bench/i15_clean_answer.py
"""

import os
import timeit
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
django.setup()

from attempts.autosave import _clean_answer  # noqa: E402

ids = [str(uuid.uuid4()) for _ in range(6)]
META = {
    ids[0]: {"type": "mcq", "options": 4},
    ids[1]: {"type": "multiple_response", "options": 0, "choices": 5},
    ids[2]: {"type": "numeric", "options": 0},
    ids[3]: {"type": "matching", "options": 0, "prompts": 3, "choices": ["a", "b", "c", "d"]},
    ids[4]: {"type": "ordering", "options": 0, "items": sorted(["w", "x", "y", "z", "v"])},
    ids[5]: {"type": "cloze", "options": 0, "blanks": ["1", "2", "3"]},
}
ITEMS = [
    {"question_id": ids[0], "answer_option": 2, "client_seq": 1},
    {"question_id": ids[1], "response": [0, 2, 4], "client_seq": 2},
    {"question_id": ids[2], "response": "3,5", "client_seq": 3},
    {"question_id": ids[3], "response": ["a", None, "d"], "client_seq": 4},
    {"question_id": ids[4], "response": ["z", "y", "x", "w", "v"], "client_seq": 5},
    {"question_id": ids[5], "response": {"1": "100", "2": "zero"}, "client_seq": 6},
]

if __name__ == "__main__":
    for item in ITEMS:
        n = 20_000
        seconds = timeit.timeit(lambda item=item: _clean_answer(item, META, {}), number=n)
        print(f"{META[item['question_id']]['type']:18s} {seconds / n * 1e6:6.1f} µs per answer")
