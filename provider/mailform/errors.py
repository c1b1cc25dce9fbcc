"""The exceptions mailform raises, as one hierarchy a caller can catch at the right level.

``MailformError`` is the root. API failures are ``ApiError`` subclasses chosen by what the
caller can do about them (fix the input, fix the credentials, wait, retry later), in the way
httpx separates transport errors from HTTP status errors. No message ever contains a secret:
the request body is never quoted, only the API's own error text and the operation.
"""

from __future__ import annotations


class MailformError(Exception):
    """Base class of every error mailform raises on purpose."""


class ConfigurationError(MailformError):
    """Missing or invalid settings: credentials, hosts, options."""


class IncompleteDeclaration(MailformError):
    """The declared object lacks what the operation needs (a user's password, to create it)."""


class WriteOnlyNotApplied(MailformError):
    """Part of a change was made, but a write-only value (a password) was not: no later plan
    can see that, so the value must be sent again on purpose."""


class ApiError(MailformError):
    """The service answered, and the answer is a failure.

    ``operation`` names what was attempted (``"POST /perl/api/v2/account/1/aliases"``),
    ``status_code`` is the HTTP status and ``message`` the service's own error text.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str,
        operation: str,
        status_code: int | None = None,
    ) -> None:
        self.message = message
        self.service = service
        self.operation = operation
        self.status_code = status_code
        status = f" (HTTP {status_code})" if status_code is not None else ""
        super().__init__(f"{service}: {operation} failed{status}: {message}")


class InvalidRequest(ApiError):
    """The service rejected the request's content (HTTP 400): fix the input."""


class AuthenticationError(ApiError):
    """The credentials or the request signature were refused (HTTP 401)."""


class PermissionDenied(ApiError):
    """The credentials are valid but not allowed to do this (HTTP 403), or a documented
    rule forbids it (a create limit, an administrator that cannot be deleted)."""


class NotFound(ApiError):
    """The object does not exist (HTTP 404)."""


class Conflict(ApiError):
    """The object exists already, or is still in use (HTTP 409)."""


class RateLimited(ApiError):
    """The service kept answering 429 after every retry the policy allowed."""


class ServerError(ApiError):
    """The service failed (HTTP 5xx) after every retry the policy allowed."""


class TransportError(MailformError):
    """The service could not be reached, or the connection broke, after every retry.

    ``operation`` names what was attempted, ``message`` what went wrong; the cause is chained.
    """

    def __init__(self, message: str, *, service: str, operation: str) -> None:
        self.message = message
        self.service = service
        self.operation = operation
        super().__init__(f"{service}: {operation} failed: {message}")


class ServiceUnavailable(TransportError):
    """Not sent: the client's last attempts all failed, so it takes the service for down and
    refuses requests to it for a while (``mailform.http.breaker``). Nothing was sent, so
    nothing was done; an apply stops starting that service's changes. ``failures`` counts
    the attempts that failed in a row, ``last_failure`` says how the last one did."""

    def __init__(
        self, message: str, *, service: str, operation: str, failures: int, last_failure: str
    ) -> None:
        super().__init__(message, service=service, operation=operation)
        self.failures = failures
        self.last_failure = last_failure


def api_error_for_status(status_code: int) -> type[ApiError]:
    """The ``ApiError`` subclass that describes an HTTP status code."""
    if status_code == 400:
        return InvalidRequest
    if status_code == 401:
        return AuthenticationError
    if status_code == 403:
        return PermissionDenied
    if status_code == 404:
        return NotFound
    if status_code == 409:
        return Conflict
    if status_code == 429:
        return RateLimited
    if status_code >= 500:
        return ServerError
    return ApiError
