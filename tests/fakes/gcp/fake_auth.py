"""OAuth2 for the fake Compute API: a token endpoint as Google's (POST /token) and the bearer
check of every Compute request.

  jwt-bearer   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT: the JWT
               must be RS256, signed by a registered service account's key (`kid` its
               private_key_id when given), iss = its client_email, aud = this endpoint's URL,
               a scope, iat <= now + 60 s, exp > now and exp - iat <= 3600 s.
  refresh      grant_type=refresh_token with a registered (client_id, client_secret,
               refresh_token): an authorized_user's application default credentials.
Answers {"access_token", "expires_in", "token_type": "Bearer"}, or 400
{"error": "invalid_grant", "error_description"} as Google does. Issued tokens expire after
`lifetime` s; static tokens (CLOUDSDK_AUTH_ACCESS_TOKEN in tests) never do.
"""

import base64
import json
import secrets
import threading
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import jsonify, request

from fake_state import ApiError

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Auth:
    def __init__(self, static_tokens=(), any_token=False, lifetime=3599):
        self.lock = threading.Lock()
        self.static = set(static_tokens)
        self.any_token = any_token
        self.lifetime = lifetime
        self.issued = {}          # token -> expiry (monotonic)
        self.accounts = {}        # client_email -> (public key, private_key_id)
        self.users = set()        # (client_id, client_secret, refresh_token)
        self.stats = {"issued": 0, "refused": 0, "jwt_grants": 0, "refresh_grants": 0}

    def add_service_account(self, path):
        with open(path) as f:
            key = json.load(f)
        private = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
        self.accounts[key["client_email"]] = (private.public_key(), key.get("private_key_id"))

    def add_user(self, client_id, client_secret, refresh_token):
        self.users.add((client_id, client_secret, refresh_token))

    def check(self):
        """Raises ApiError(401) unless the request carries a valid bearer token."""
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self.lock:
            ok = bool(token) and (self.any_token or token in self.static
                                  or self.issued.get(token, 0) > time.monotonic())
        if not ok:
            raise ApiError(401, "authError", "Request had invalid authentication credentials. "
                                             "Expected OAuth 2 access token, login cookie or other "
                                             "valid authentication credential.")

    def refuse(self, why):
        self.stats["refused"] += 1
        resp = jsonify({"error": "invalid_grant", "error_description": why})
        resp.status_code = 400
        return resp

    def verify_jwt(self, assertion, audience):
        try:
            head_b64, claims_b64, sig_b64 = assertion.split(".")
            head = json.loads(b64url_decode(head_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(sig_b64)
        except (ValueError, json.JSONDecodeError):
            return "Invalid JWT: not three base64url parts of JSON."
        if head.get("alg") != "RS256":
            return "Invalid JWT: alg must be RS256."
        account = self.accounts.get(claims.get("iss"))
        if account is None:
            return "Invalid JWT: unknown issuer."
        public, key_id = account
        if head.get("kid") and key_id and head["kid"] != key_id:
            return "Invalid JWT Signature."
        try:
            public.verify(signature, (head_b64 + "." + claims_b64).encode(),
                          padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "Invalid JWT Signature."
        now = time.time()
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if claims.get("aud") != audience:
            return "Invalid JWT: Failed audience check."
        if not claims.get("scope"):
            return "Invalid JWT: no scope."
        if iat > now + 60 or exp <= now or exp - iat > 3600:
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a " \
                   "reasonable timeframe."
        return None

    def issue(self):
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self.lock:
            self.issued[token] = time.monotonic() + self.lifetime
            self.stats["issued"] += 1
        return jsonify({"access_token": token, "expires_in": self.lifetime, "token_type": "Bearer"})


def install(app, auth, world):
    @app.post("/token")
    def token():
        world.count("token_requests")
        form = request.form
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            auth.stats["jwt_grants"] += 1
            why = auth.verify_jwt(form.get("assertion", ""), request.base_url)
            return auth.refuse(why) if why else auth.issue()
        if grant == "refresh_token":
            auth.stats["refresh_grants"] += 1
            who = (form.get("client_id"), form.get("client_secret"), form.get("refresh_token"))
            return auth.issue() if who in auth.users else auth.refuse("Bad Request")
        resp = jsonify({"error": "unsupported_grant_type", "error_description": "Invalid grant_type: %s" % grant})
        resp.status_code = 400
        return resp
