"""A small OpenID provider that the tests run on 127.0.0.1 (a thread): discovery, JWKS, the authorize
redirect, the token endpoint signing an RS256 id_token, userinfo (JSON or a signed JWT, as ProConnect
answers) and end_session. Shaped like ProConnect's: acr, given_name / usual_name.

`OpenIDProvider.person` is who logs in next; `id_token_changes` alters the next id_token (a wrong nonce,
another audience…) so that tests can check each refusal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "fabrique-test"
CLIENT_SECRET = "secret-de-test"
KID = "test-key-1"


class OpenIDProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person: dict[str, Any] = {}
        self.acr = "eidas1"
        self.id_token_changes: dict[str, Any] = {}
        self.userinfo_as_jwt = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.logouts: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OpenIDProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the endpoints answer ------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the client, with a code bound to this request."""
        self.authorize_requests.append(query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"query": query, "person": dict(self.person)}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        query = grant["query"]
        if form.get("redirect_uri") != query["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        if "code_challenge" in query:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != query["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        person = grant["person"]
        claims = {
            "iss": self.issuer,
            "sub": person["sub"],
            "aud": CLIENT_ID,
            "exp": now + 60,
            "iat": now,
            "nonce": query.get("nonce"),
            "acr": self.acr,
            "amr": ["pwd"],
            **self.id_token_changes,
        }
        access_token = secrets.token_urlsafe(16)
        self.codes[f"access:{access_token}"] = {"person": person}
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": self.sign(claims),
        }

    def userinfo(self, authorization: str) -> tuple[int, str, str]:
        grant = self.codes.get(f"access:{authorization.removeprefix('Bearer ')}")
        if grant is None:
            return 401, "application/json", json.dumps({"error": "invalid_token"})
        person = grant["person"]
        if self.userinfo_as_jwt:
            claims = {**person, "iss": self.issuer, "aud": CLIENT_ID}
            return 200, "application/jwt", self.sign(claims)
        return 200, "application/json", json.dumps(person)

    # --- the HTTP server ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str, content_type: str = "application/json", **headers: str):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                path = url.path.removeprefix("/api/v2")
                if path == "/.well-known/openid-configuration":
                    self._send(200, json.dumps(provider.discovery()))
                elif path == "/jwks":
                    self._send(200, json.dumps(provider.jwks()))
                elif path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", provider.authorize(query))
                    self.end_headers()
                elif path == "/userinfo":
                    status, content_type, body = provider.userinfo(self.headers.get("Authorization", ""))
                    self._send(status, body, content_type)
                elif path == "/session/end":
                    provider.logouts.append(query)
                    self._send(200, "<p>Déconnecté</p>", "text/html")
                else:
                    self._send(404, "{}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path.removeprefix("/api/v2") == "/token":
                    status, body = provider.token(form)
                    self._send(status, json.dumps(body))
                else:
                    self._send(404, "{}")

        return Handler
