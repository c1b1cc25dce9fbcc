"""The failures the simulated LianaMailer API answers with.

Every failure carries the envelope ``{"succeed": false, "message": ...}``; what differs is the
HTTP status. Liana's own clients raise on 401 and on any status >= 400, and read ``message``
from an HTTP 200 envelope with ``succeed: false`` for refused calls, so the sandbox answers
auth failures with 401 and logical errors (bad arguments, unknown ids, rule violations) with
200 (see ``docs/api-assumptions.md``).
"""

from __future__ import annotations


class LianaError(Exception):
    """A refused call: ``status`` is the HTTP status, ``message`` the envelope's message."""

    status = 200

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CallFailed(LianaError):
    """A logical error: the call exists and is authenticated but cannot be done (HTTP 200)."""

    status = 200


class BadRequest(LianaError):
    """The body is not JSON at all (400)."""

    status = 400


class Unauthorized(LianaError):
    """Missing or malformed auth headers, unknown realm or user, bad Content-MD5, a Date
    outside the allowed skew, or a wrong signature (401)."""

    status = 401


class UnknownCall(LianaError):
    """No such endpoint (404)."""

    status = 404


class MethodNotAllowed(LianaError):
    """V1 calls are POST only (405)."""

    status = 405
