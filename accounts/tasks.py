"""Tasks of the accounts app: thin, queued on commit by the services (STYLE.md).

The password-reset tasks are defined in accounts.services.auth, beside the services that queue them (so those
services need no import of this module); they are named and importable here.
"""

from accounts.services.auth import password_reset_issue_job, send_password_reset_email

__all__ = ["password_reset_issue_job", "send_password_reset_email"]
