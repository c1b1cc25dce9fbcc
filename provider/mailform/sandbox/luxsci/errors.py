"""The failures the simulated LuxSci API answers with, one class per HTTP status.

The account model raises these; the HTTP layer turns them into the error envelope
``{"success": 0, "error_message": ...}`` with the status of ``docs/api-assumptions.md``.
Messages follow LuxSci's own wording where the reference quotes it.
"""

from __future__ import annotations


class LuxSciError(Exception):
    """A refused request: ``status`` is the HTTP status, ``message`` the ``error_message``."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(LuxSciError):
    """The request's content is invalid (400)."""

    status = 400


class NotAuthenticated(LuxSciError):
    """Missing, unknown, expired or revoked auth, or a wrong signature (401)."""

    status = 401


class AccessDenied(LuxSciError):
    """Authenticated, but not allowed: access control, scope, account, or a documented
    restriction such as the create limit or an administrator user (403)."""

    status = 403


class NotFound(LuxSciError):
    """The object named in the path (or a domain the body refers to) does not exist (404)."""

    status = 404


class MethodNotAllowed(LuxSciError):
    """The path exists but the API has no such operation on it, e.g. updating DKIM (405)."""

    status = 405


class Conflict(LuxSciError):
    """The object exists already, or is in use (409)."""

    status = 409
