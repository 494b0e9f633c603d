"""Tasks of the quizzes app (see STYLE.md).

`import_questions_job` (issue 18) is defined in quizzes.services.imports, beside the service that queues it after
commit; it is imported here so the worker's autodiscovery registers it under its name.
"""

from quizzes.services.imports import import_questions_job

__all__ = ["import_questions_job"]
