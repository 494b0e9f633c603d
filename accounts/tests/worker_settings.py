"""Settings for the real Celery worker started by test_worker.py: the project's settings plus EMAIL_FILE_PATH
(quizsite.settings does not read it), so the file-based e-mail backend writes where the test looks."""

import os

from quizsite.settings import *  # noqa: F403

EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
