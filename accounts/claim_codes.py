"""One-time claim codes for students' accounts (Student.claim_code_hash).

Format of Student.claim_code_hash:  "claim-hmac-sha256$<salt: 16 hex chars>$<64 hex chars>"
  digest = HMAC-SHA256(key = SHA-256("quizsite.claim-code" + SECRET_KEY), msg = salt + "$" + normalised code)
  normalised code = upper-case, spaces and hyphens removed ("abcde-fghjk" == "ABCDEFGHJK").
Why not make_password(): PBKDF2/argon2 cost 50-300 ms per code, i.e. minutes for a 10,000-student import. A
code is random (10 characters from a 31-letter alphabet, ~50 bits), single-use and tried through a throttled
endpoint, so a slow hash buys nothing; the secret key in the HMAC means a leaked table alone cannot be brute
forced offline. Changing SECRET_KEY invalidates outstanding codes (re-issue them from the class page).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password

CLAIM_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are typed from paper
CLAIM_CODE_LENGTH = 10
CLAIM_HASH_PREFIX = "claim-hmac-sha256"


def _claim_key() -> bytes:
    return hashlib.sha256(("quizsite.claim-code" + settings.SECRET_KEY).encode()).digest()


def normalize_claim_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def generate_claim_code() -> str:
    raw = "".join(secrets.choice(CLAIM_CODE_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def claim_code_hash(code: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hmac.new(_claim_key(), f"{salt}${normalize_claim_code(code)}".encode(), hashlib.sha256).hexdigest()
    return f"{CLAIM_HASH_PREFIX}${salt}${digest}"


def new_claim_code() -> tuple[str, str]:
    """(plain code, hash to store): the plain code is shown once to whoever issued it, then discarded."""
    code = generate_claim_code()
    return code, claim_code_hash(code)


def claim_code_needed(*, date_of_birth) -> bool:
    """Whether a new student must be given a claim code: unless a date of birth is on record, the code is the only
    secret that stops anyone who knows the registration number from claiming the account (accounts.services
    refuses to let an account with neither be claimed)."""
    return date_of_birth is None


def claim_code_matches(code: str, stored_hash: str) -> bool:
    """True when `code` is the claim code whose hash is `stored_hash` (constant-time; False for empty values)."""
    if not code or not stored_hash:
        return False
    prefix, _, rest = stored_hash.partition("$")
    salt = rest.partition("$")[0]
    if prefix != CLAIM_HASH_PREFIX:
        # An older make_password() hash of the code without spaces.
        return check_password("".join(code.split()).upper(), stored_hash)
    return hmac.compare_digest(claim_code_hash(code, salt=salt), stored_hash)
