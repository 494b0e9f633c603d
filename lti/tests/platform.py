"""A real LTI 1.3 platform for the tests, on loopback: its own RSA key, a JWKS, an OIDC authorization endpoint
(answers with the auto-posting form a browser would get), an OAuth2 token endpoint that checks the tool's signed
client assertion against the tool's JWKS, an AGS score endpoint, an NRPS memberships endpoint and a deep-linking
return endpoint that checks the tool's signed answer. Built from PyJWT and cryptography; nothing is mocked on
the tool's side: pylti1p3 fetches the JWKS and tokens over HTTP as it would from Moodle or Canvas.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class Platform:
    def __init__(self, *, name="Moodle test", client_id="tool-client-1", deployment_id="dep-1"):
        self.key = new_key()
        self.kid = "platform-key-1"
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.name = name
        self.pending: dict[str, dict] = {}  # login_hint -> what the next id_token says
        self.tokens: dict[str, list[str]] = {}  # access token -> scopes
        self.scores: list[dict] = []
        self.deep_link_answers: list[dict] = []
        self.members: list[dict] = []
        self.fail_scores = 0  # answer 503 to this many score posts first
        self.tool_jwks: dict = {"keys": []}
        self.token_requests = 0
        self.jwks_requests = 0
        self.registration_token = "reg-" + secrets.token_urlsafe(8)
        self.registrations: list[dict] = []  # what tools asked for through Dynamic Registration
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.base  # an issuer is the platform's https URL in production; loopback http here

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what the admin pastes into our registration page ---
    def registration(self, deployment_ids=None) -> dict:
        return {
            "name": self.name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.base + "/auth",
            "auth_token_url": self.base + "/token",
            "auth_audience": "",
            "jwks_url": self.base + "/jwks",
            "deployment_ids": deployment_ids or self.deployment_id,
        }

    @property
    def jwk(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return jwk | {"kid": self.kid, "alg": "RS256", "use": "sig"}

    def lineitem(self, n=1) -> str:
        return f"{self.base}/lineitems/{n}"

    def claims(self, *, sub, roles, message_type="LtiResourceLinkRequest", context_id="course-1", **extra) -> dict:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "name": extra.pop("name", f"User {sub}"),
            "email": extra.pop("email", f"{sub}@lms.example.org"),
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "message_type": message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": roles,
            CLAIM + "target_link_uri": "",
            CLAIM + "context": {"id": context_id, "title": "Maths 10"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.base + f"/memberships/{context_id}",
                "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            body[CLAIM + "resource_link"] = {"id": extra.pop("resource_link_id", "rl-1"), "title": "Quiz"}
            body["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE],
                "lineitem": extra.pop("lineitem", self.lineitem()),
                "lineitems": self.base + "/lineitems",
            }
        else:
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.base + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        body.update(extra)
        return body

    def sign(self, body: dict, *, key=None, kid=None) -> str:
        return jwt.encode(body, pem(key or self.key), algorithm="RS256", headers={"kid": kid or self.kid})

    # --- the HTTP side ---
    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, ctype="application/json"):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                return raw, {k: v[0] for k, v in parse_qs(raw).items()}

            def _bearer(self, scope):
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                return scope in platform.tokens.get(token, [])

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/jwks":
                    platform.jwks_requests += 1
                    return self._send(200, {"keys": [platform.jwk]})
                if url.path == "/.well-known/openid-configuration":
                    return self._send(
                        200,
                        {
                            "issuer": platform.issuer,
                            "authorization_endpoint": platform.base + "/auth",
                            "token_endpoint": platform.base + "/token",
                            "jwks_uri": platform.base + "/jwks",
                            "registration_endpoint": platform.base + "/register",
                            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                                "product_family_code": "moodle",
                                "version": "4.3",
                            },
                        },
                    )
                if url.path == "/auth":
                    return self._auth({k: v[0] for k, v in parse_qs(url.query).items()})
                if url.path == "/course":  # the LMS's course page, the tool in an iframe as Moodle shows it
                    q = {k: v[0] for k, v in parse_qs(url.query).items()}
                    return self._send(
                        200,
                        f'<h1>Maths 10</h1><iframe title="Quizsite" src="{html.escape(q["src"])}" '
                        'width="800" height="600"></iframe>',
                        "text/html",
                    )
                if url.path.startswith("/memberships/"):
                    if not self._bearer(NRPS_SCOPE):
                        return self._send(401, {"error": "unauthorized"})
                    return self._send(
                        200,
                        {"id": url.path, "context": {"id": url.path.rsplit("/", 1)[-1]}, "members": platform.members},
                    )
                return self._send(404, {"error": "not found"})

            def _auth(self, q):
                # OIDC authorization: checks what a platform checks, then answers with an auto-posting form.
                spec = platform.pending.get(q.get("login_hint", ""))
                if (
                    spec is None
                    or q.get("client_id") != platform.client_id
                    or q.get("response_type") != "id_token"
                    or q.get("scope") != "openid"
                    or not q.get("nonce")
                    or not q.get("state")
                ):
                    return self._send(400, {"error": "invalid_request"})
                body = dict(spec["claims"])
                body.setdefault("nonce", q["nonce"])
                body[CLAIM + "target_link_uri"] = q["redirect_uri"]
                token = platform.sign(body, key=spec.get("key"), kid=spec.get("kid"))
                page = (
                    f'<form method="post" action="{html.escape(q["redirect_uri"])}">'
                    f'<input type="hidden" name="id_token" value="{token}">'
                    f'<input type="hidden" name="state" value="{html.escape(q["state"])}"></form>'
                    "<script>document.forms[0].submit()</script>"  # what a browser gets (response_mode=form_post)
                )
                return self._send(200, page, "text/html")

            def do_POST(self):
                url = urlsplit(self.path)
                raw, form = self._form()
                if url.path == "/token":
                    return self._token(form)
                if url.path.startswith("/lineitems/") and url.path.endswith("/scores"):
                    if not self._bearer(SCORE_SCOPE):
                        return self._send(401, {"error": "unauthorized"})
                    if platform.fail_scores > 0:
                        platform.fail_scores -= 1
                        return self._send(503, {"error": "gradebook is down"})
                    platform.scores.append(
                        {
                            "lineitem": url.path.removesuffix("/scores"),
                            "content_type": self.headers.get("Content-Type"),
                            **json.loads(raw),
                        }
                    )
                    return self._send(200, {})
                if url.path == "/register":
                    if self.headers.get("Authorization") != f"Bearer {platform.registration_token}":
                        return self._send(401, {"error": "bad registration token"})
                    asked = json.loads(raw)
                    platform.registrations.append(asked)
                    return self._send(
                        200,
                        asked
                        | {
                            "client_id": platform.client_id,
                            "https://purl.imsglobal.org/spec/lti-tool-configuration": asked[
                                "https://purl.imsglobal.org/spec/lti-tool-configuration"
                            ]
                            | {"deployment_id": platform.deployment_id},
                        },
                    )
                if url.path == "/deep-link-return":
                    return self._deep_link_return(form)
                return self._send(404, {"error": "not found"})

            def _tool_key(self, token):
                kid = jwt.get_unverified_header(token).get("kid")
                for k in platform.tool_jwks["keys"]:
                    if k["kid"] == kid:
                        return RSAAlgorithm.from_jwk(json.dumps(k))
                raise jwt.InvalidTokenError(f"unknown tool kid {kid}")

            def _token(self, form):
                platform.token_requests += 1
                try:
                    assert form["grant_type"] == "client_credentials"
                    assertion = form["client_assertion"]
                    claims = jwt.decode(
                        assertion, self._tool_key(assertion), algorithms=["RS256"], audience=platform.base + "/token"
                    )
                    assert claims["iss"] == claims["sub"] == platform.client_id
                except (AssertionError, KeyError, jwt.InvalidTokenError) as exc:
                    return self._send(400, {"error": "invalid_client", "detail": str(exc)})
                token = secrets.token_urlsafe(16)
                platform.tokens[token] = form.get("scope", "").split()
                return self._send(200, {"access_token": token, "token_type": "bearer", "expires_in": 3600})

            def _deep_link_return(self, form):
                try:
                    token = form["JWT"]
                    claims = jwt.decode(token, self._tool_key(token), algorithms=["RS256"], audience=platform.issuer)
                    assert claims["iss"] == platform.client_id
                    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
                except (AssertionError, KeyError, jwt.InvalidTokenError) as exc:
                    return self._send(400, {"error": str(exc)})
                platform.deep_link_answers.append(claims)
                return self._send(200, "<p>Added</p>", "text/html")

        return Handler

    def expect_login(self, claims: dict, *, key=None, kid=None) -> str:
        hint = uuid.uuid4().hex
        self.pending[hint] = {"claims": claims, "key": key, "kid": kid}
        return hint


def form_fields(page: str) -> tuple[str, dict]:
    action = html.unescape(re.search(r'action="([^"]*)"', page).group(1))
    fields = {html.unescape(n): html.unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    return action, fields
