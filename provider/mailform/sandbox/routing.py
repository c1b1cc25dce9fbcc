"""Routes that answer like a server, not like the web framework.

Starlette matches a route per path *and* method: with one ``Route`` per (path, method) pair,
a method the path lacks answers 405 with an ``Allow`` header naming only the methods of the
first route of that path. Here a path is one route whatever its methods, so that the 405
lists every method the path has; the app's handler of Starlette's ``HTTPException`` then
answers in the service's own error envelope. Apps built with :func:`app` also
never redirect a path with (or without) a trailing slash to the other spelling: a real API
answers such a path itself, and a bodyless 307 is not in any service's envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


class _ByMethod:
    """An ASGI app (so that Starlette's route passes it every method) that hands a request
    to the handler of its method, or raises the 405."""

    def __init__(self, handlers: Mapping[str, Endpoint]) -> None:
        self.handlers = dict(handlers)
        self.allow = ", ".join(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers.get(scope["method"])
        if handler is None:
            raise HTTPException(405, headers={"Allow": self.allow})
        response = await handler(Request(scope, receive))
        await response(scope, receive, send)


def path_route(path: str, handlers: Mapping[str, Endpoint]) -> Route:
    """One route for ``path`` whose ``handlers`` are keyed by method; any other method
    raises ``HTTPException(405)`` with ``Allow`` listing the keys."""
    return Route(path, _ByMethod(handlers))


def grouped(routes: list[tuple[str, str, Endpoint]]) -> list[BaseRoute]:
    """:func:`path_route` for each path of ``(method, path, endpoint)`` triples, in the order
    each path first appears."""
    table: dict[str, dict[str, Endpoint]] = {}
    for method, path, endpoint in routes:
        table.setdefault(path, {})[method] = endpoint
    return [path_route(path, handlers) for path, handlers in table.items()]


def app(routes: list[BaseRoute], on_http_error: ExceptionHandler) -> Starlette:
    """A Starlette app over ``routes`` that never redirects slashes and answers every 404 and
    405 through ``on_http_error``."""
    built = Starlette(routes=routes, exception_handlers={HTTPException: on_http_error})
    built.router.redirect_slashes = False
    return built


def http_error(error: Any) -> tuple[int, Mapping[str, str]]:
    """The status and headers of a Starlette ``HTTPException``."""
    assert isinstance(error, HTTPException)
    return error.status_code, dict(error.headers or {})
