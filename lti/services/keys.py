"""Our signing key: generated once, published at the JWKS URL, rotated on demand (the old key stays published
for LTI_KEY_RETIRED_SECONDS so a platform holding a cached JWKS or a token signed before the rotation still
verifies it)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.utils import timezone
from pylti1p3.registration import Registration

from accounts.models import User
from accounts.services.audit import audit_record
from lti.errors import LtiError
from lti.models import ToolKey


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    # The kid is the key's RFC 7638 thumbprint, the one pylti1p3 puts in the headers of what it signs.
    kid = Registration.get_jwk(public_pem)["kid"]
    return ToolKey(kid=kid, private_pem=private_pem, public_pem=public_pem)


def current_key() -> ToolKey:
    """The key we sign with, created on first use (two first uses at once: one wins, both get it)."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key()
            key.save()
            return key
    except IntegrityError:
        return ToolKey.objects.get(retired_at__isnull=True)


@transaction.atomic
def key_rotate(*, by: User, request=None) -> ToolKey:
    if not (by and by.is_active and by.is_admin):
        raise LtiError("Only administrators can rotate the LTI key.", status_code=403)
    old = ToolKey.objects.select_for_update().filter(retired_at__isnull=True).first()
    if old is not None:
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
    key = _new_key()
    key.save()
    audit_record(
        action="lti.key.rotate",
        by=by,
        entity=key,
        old={"kid": old.kid if old else None},
        new={"kid": key.kid},
        request=request,
    )
    return key


def jwks() -> dict:
    """What the JWKS URL serves: public halves only."""
    current_key()
    return {"keys": [Registration.get_jwk(k.public_pem) for k in ToolKey.objects.published()]}
