"""The HTTP face of the simulated LuxSci API: routes, access checks and the JSON envelope.

Each route is one operation of ``docs/api-assumptions.md``: a method, a path under
``/perl/api/v2``, the scope it belongs to (account or user), the access control (ACL) it needs,
and the model call it makes. A request is handled in one store transaction: verify the
signature cookie, check scope, account and ACL, parse the JSON body, run the operation, and
answer ``{"success": 1, "data": ...}``; any refusal answers ``{"success": 0, "error_message":
...}`` with its status and leaves the state as it was.

Paths the API does not have answer 404 (a known path with a trailing slash too), and
operations the API lacks on a known path (updating DKIM, deleting a custom field, reading a
bounce domain) answer 405 with ``Allow`` listing the path's methods, both in the same
envelope. A body that is not a JSON object within the sandbox's limits
(:mod:`mailform.sandbox.limits`) answers 400.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mailform.sandbox import routing
from mailform.sandbox.limits import LimitError, read_json
from mailform.sandbox.luxsci.account import Account
from mailform.sandbox.luxsci.auth import Caller, SignedRequest
from mailform.sandbox.luxsci.errors import (
    AccessDenied,
    InvalidRequest,
    LuxSciError,
    MethodNotAllowed,
    NotFound,
)
from mailform.sandbox.luxsci.marketing import Marketing
from mailform.sandbox.luxsci.service import SECTION, LuxSciService
from mailform.sandbox.luxsci.values import flag, public

BASE_PATH = "/perl/api/v2"
AUTH_PATH = f"{BASE_PATH}/auth"

# Access-control names as the reference prints them ("Access control required to execute this
# endpoint: ..."); an integration is granted a set of them.
DOMAINS_MANAGE = "Account: Domains - Manage"
ALIASES_MANAGE = "Account: Email Aliases - Manage"
USERS_ADD = "Account: Users - Add"
USERS_REPORT = "User Settings: Read Access"
USERS_MODIFY = "Account: Users - Modify"
USERS_DELETE = "Account: Users - Enable/Disable/Delete"
SERVERS_REPORT = "Account: Servers - Report"
USER_READ = "User Settings - Read"
USER_PASSWORD = "User Settings - Change Password"
TEMPLATES = "User Email: Templates"
CUSTOM_FIELDS = "User Email: Custom Fields"
LIST_MANAGEMENT = "Marketing - List Management"
MARKETING_REPORTS = "Marketing - Reports"

log = logging.getLogger(__name__)


def error_envelope(message: str) -> dict[str, Any]:
    """LuxSci's failure envelope; also used by the fault layer for 429 and 503."""
    return {"success": 0, "error_message": message}


def is_change(scope: Mapping[str, Any]) -> bool:
    """Requests a dropped connection applies to: those that change the account (not ``/auth``,
    so a test can drop "the next change" without losing its login)."""
    return scope.get("method") in {"POST", "PUT", "DELETE"} and scope.get("path") != AUTH_PATH


@dataclass
class Reply:
    """A successful answer: the HTTP status and the envelope's other keys."""

    status: int = 200
    data: Any = None
    extra: Mapping[str, Any] | None = None

    def envelope(self) -> dict[str, Any]:
        """``{"success": 1, ...}``; ``data`` is left out when there is none."""
        body: dict[str, Any] = {"success": 1}
        if self.data is not None:
            body["data"] = self.data
        body.update(self.extra or {})
        return body


@dataclass
class Call:
    """One verified request as an operation sees it."""

    data: dict[str, Any]
    now: float
    caller: Caller
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Mapping[str, Any]
    owner: Mapping[str, Any] | None
    #: The DNS records the sandbox serves (name → CNAME target): the world outside.
    published: Mapping[str, str]

    @property
    def account(self) -> Account:
        """The account-scope model."""
        return Account(self.data, self.now)

    @property
    def marketing(self) -> Marketing:
        """The user-scope model of the user named in the path."""
        assert self.owner is not None
        return Marketing(self.data, self.now, self.owner)

    def limit(self, kind: str) -> int:
        """The calling integration's 24 h create limit for ``kind``."""
        return self.caller.integration.create_limits[kind]


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class ApiCall:
    """One API operation: ``scope`` is "account" or "user"; ``acl`` None needs no grant."""

    method: str
    path: str
    scope: str
    acl: str | None
    handler: Handler


def _ok(data: Any = None) -> Reply:
    return Reply(200, data)


def _report(result: tuple[list[str], list[dict[str, Any]], int]) -> Reply:
    header, rows, total = result
    return Reply(200, rows, {"header": header, "total_matches": total})


def _change_password(call: Call) -> Reply:
    call.account.change_password(call.params["login"], call.body)
    return Reply(201)


def _delete_list(call: Call) -> Reply:
    contacts_only = flag(call.query.get("contacts_only", "0"), "contacts_only")
    call.marketing.delete_list(call.params["list_id"], contacts_only=contacts_only)
    return Reply(200)


def _done(action: Callable[[], None]) -> Reply:
    action()
    return Reply(200)


A = "/account/{account_id}"
U = "/user/{login}"

# fmt: off
OPERATIONS: tuple[ApiCall, ...] = (
    # Domains, DKIM and custom bounce domains
    ApiCall("GET", f"{A}/domains", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.domains())),
    ApiCall("POST", f"{A}/domains", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.create_domain(c.body, limit=c.limit("domains")))),
    ApiCall("GET", f"{A}/domains/{{domain}}", "account", DOMAINS_MANAGE,
              lambda c: _ok(public(c.account.domain(c.params["domain"])))),
    ApiCall("PUT", f"{A}/domains/{{domain}}", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.update_domain(c.params["domain"], c.body))),
    ApiCall("DELETE", f"{A}/domains/{{domain}}", "account", DOMAINS_MANAGE,
              lambda c: _done(lambda: c.account.delete_domain(c.params["domain"]))),
    ApiCall("GET", f"{A}/dkim", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.dkim_list())),
    ApiCall("POST", f"{A}/dkim", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.create_dkim(c.body))),
    ApiCall("GET", f"{A}/dkim/{{domain}}", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.dkim(c.params["domain"]))),
    ApiCall("DELETE", f"{A}/dkim/{{domain}}", "account", DOMAINS_MANAGE,
              lambda c: _done(lambda: c.account.delete_dkim(c.params["domain"]))),
    ApiCall("POST", f"{A}/bounce_domain", "account", DOMAINS_MANAGE,
              lambda c: _ok(c.account.create_bounce_domain(c.body, c.published))),
    # Aliases
    ApiCall("GET", f"{A}/aliases", "account", ALIASES_MANAGE,
              lambda c: _ok(c.account.aliases())),
    ApiCall("POST", f"{A}/aliases", "account", ALIASES_MANAGE,
              lambda c: _ok(c.account.create_alias(c.body, limit=c.limit("aliases")))),
    ApiCall("GET", f"{A}/aliases/{{alias}}", "account", ALIASES_MANAGE,
              lambda c: _ok(public(c.account.alias(c.params["alias"])))),
    ApiCall("PUT", f"{A}/aliases/{{alias}}", "account", ALIASES_MANAGE,
              lambda c: _ok(c.account.update_alias(c.params["alias"], c.body))),
    ApiCall("DELETE", f"{A}/aliases/{{alias}}", "account", ALIASES_MANAGE,
              lambda c: _done(lambda: c.account.delete_alias(c.params["alias"]))),
    # Users
    ApiCall("GET", f"{A}/users", "account", USERS_REPORT,
              lambda c: _ok(c.account.users(c.query))),
    ApiCall("POST", f"{A}/users", "account", USERS_ADD,
              lambda c: _ok(c.account.create_user(c.body, limit=c.limit("users")))),
    ApiCall("PUT", f"{A}/users/{{login}}", "account", USERS_MODIFY,
              lambda c: _ok(c.account.update_user(c.params["login"], c.body))),
    ApiCall("DELETE", f"{A}/users/{{login}}", "account", USERS_DELETE,
              lambda c: _done(lambda: c.account.delete_user(c.params["login"]))),
    ApiCall("PUT", f"{A}/users/{{login}}/rename", "account", USERS_DELETE,
              lambda c: _ok(c.account.rename_user(c.params["login"], c.body))),
    # Dedicated servers (setting the rate and emptying queues need no listed access control)
    ApiCall("GET", f"{A}/servers", "account", SERVERS_REPORT,
              lambda c: _ok(c.account.servers())),
    ApiCall("GET", f"{A}/server/{{server}}", "account", SERVERS_REPORT,
              lambda c: _ok(c.account.server_status(c.params["server"]))),
    ApiCall("PUT", f"{A}/server/{{server}}/sending_rate", "account", None,
              lambda c: _ok(c.account.set_sending_rate(c.params["server"], c.body))),
    ApiCall("DELETE", f"{A}/server/{{server}}/sending_queues", "account", None,
              lambda c: _done(lambda: c.account.empty_queues(c.params["server"],
                                                             everything=False))),
    ApiCall("DELETE", f"{A}/server/{{server}}/sending_queues/all", "account", None,
              lambda c: _done(lambda: c.account.empty_queues(c.params["server"],
                                                             everything=True))),
    # The user's own profile and password
    ApiCall("GET", U, "user", USER_READ,
              lambda c: _ok(public(c.owner or {}))),
    ApiCall("GET", f"{U}/profile", "user", USER_READ,
              lambda c: _ok(public(c.owner or {}))),
    ApiCall("PUT", f"{U}/password", "user", USER_PASSWORD,
              _change_password),
    # Templates and template groups (create also accepts the id segment the reference prints)
    ApiCall("GET", f"{U}/template_groups", "user", TEMPLATES,
              lambda c: _ok(c.marketing.template_groups())),
    ApiCall("POST", f"{U}/template_group", "user", TEMPLATES,
              lambda c: _ok(c.marketing.create_template_group(c.body))),
    ApiCall("POST", f"{U}/template_group/{{group}}", "user", TEMPLATES,
              lambda c: _ok(c.marketing.create_template_group(c.body))),
    ApiCall("PUT", f"{U}/template_group/{{group}}", "user", TEMPLATES,
              lambda c: _ok(c.marketing.rename_template_group(c.params["group"], c.body))),
    ApiCall("DELETE", f"{U}/template_group/{{group}}", "user", TEMPLATES,
              lambda c: _done(lambda: c.marketing.delete_template_group(c.params["group"]))),
    ApiCall("GET", f"{U}/templates", "user", TEMPLATES,
              lambda c: _ok(c.marketing.templates(c.query))),
    ApiCall("POST", f"{U}/templates", "user", TEMPLATES,
              lambda c: _ok(c.marketing.create_template(c.body))),
    ApiCall("GET", f"{U}/template/{{template}}", "user", TEMPLATES,
              lambda c: _ok(c.marketing.template(c.params["template"]))),
    ApiCall("PUT", f"{U}/template/{{template}}", "user", TEMPLATES,
              lambda c: _ok(c.marketing.replace_template(c.params["template"], c.body))),
    ApiCall("DELETE", f"{U}/template/{{template}}", "user", TEMPLATES,
              lambda c: _done(lambda: c.marketing.delete_template(c.params["template"]))),
    # Content tags
    ApiCall("GET", f"{U}/content_tags", "user", TEMPLATES,
              lambda c: _ok(c.marketing.content_tags())),
    ApiCall("POST", f"{U}/content_tags", "user", TEMPLATES,
              lambda c: _ok(c.marketing.create_content_tag(c.body))),
    ApiCall("GET", f"{U}/content_tags/{{tag}}", "user", TEMPLATES,
              lambda c: _ok(c.marketing.content_tag(c.params["tag"]))),
    ApiCall("PUT", f"{U}/content_tags/{{tag}}", "user", TEMPLATES,
              lambda c: _ok(c.marketing.replace_content_tag(c.params["tag"], c.body))),
    ApiCall("DELETE", f"{U}/content_tags/{{tag}}", "user", TEMPLATES,
              lambda c: _done(lambda: c.marketing.delete_content_tag(c.params["tag"]))),
    # Custom fields (create and list only)
    ApiCall("GET", f"{U}/fields", "user", CUSTOM_FIELDS,
              lambda c: _ok(c.marketing.custom_fields())),
    ApiCall("POST", f"{U}/fields", "user", CUSTOM_FIELDS,
              lambda c: _ok(c.marketing.create_custom_field(c.body))),
    # Secure Marketing v3 list groups and lists
    ApiCall("GET", f"{U}/marketing/list_groups", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.list_groups())),
    ApiCall("POST", f"{U}/marketing/list_group", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.create_list_group(c.body))),
    ApiCall("POST", f"{U}/marketing/list_group/{{group}}", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.create_list_group(c.body))),
    ApiCall("PUT", f"{U}/marketing/list_group/{{group}}", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.rename_list_group(c.params["group"], c.body))),
    ApiCall("DELETE", f"{U}/marketing/list_group/{{group}}", "user", LIST_MANAGEMENT,
              lambda c: _done(lambda: c.marketing.delete_list_group(c.params["group"]))),
    ApiCall("GET", f"{U}/marketing/lists", "user", MARKETING_REPORTS,
              lambda c: _report(c.marketing.list_report(c.query))),
    ApiCall("POST", f"{U}/marketing/list", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.create_list(c.body))),
    ApiCall("GET", f"{U}/marketing/list/{{list_id}}", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.marketing_list(c.params["list_id"]))),
    ApiCall("PUT", f"{U}/marketing/list/{{list_id}}", "user", LIST_MANAGEMENT,
              lambda c: _ok(c.marketing.update_list(c.params["list_id"], c.body))),
    ApiCall("DELETE", f"{U}/marketing/list/{{list_id}}", "user", LIST_MANAGEMENT,
              _delete_list),
)
# fmt: on
"""Every operation the sandbox serves, paths relative to ``/perl/api/v2``."""


def _json(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse(dict(body), status_code=status, headers=dict(headers or {}))


def _failure(error: LuxSciError, headers: Mapping[str, str] | None = None) -> Response:
    return _json(error.status, error_envelope(error.message), headers)


def _signed_request(request: Request, body: bytes) -> SignedRequest:
    scope = request.scope
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    return SignedRequest(
        method=request.method,
        path=path,
        query=scope.get("query_string", b"").decode("latin-1"),
        body=body,
        cookie=request.headers.get("cookie"),
        host=request.headers.get("host"),
    )


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = read_json(raw)
    except LimitError as error:
        raise InvalidRequest(f"Invalid JSON in the request body: {error}.") from None
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return body


class LuxSciApi:
    """Builds the Starlette app of the LuxSci API over a :class:`LuxSciService`."""

    def __init__(self, service: LuxSciService) -> None:
        self.log = logging.getLogger(f"{__name__}.LuxSciApi")
        self.service = service

    def app(self) -> Starlette:
        """The ASGI app, to be mounted at ``/perl/api/v2``."""
        routes: list[tuple[str, str, routing.Endpoint]] = [
            ("POST", "/auth", self._authenticate),
            ("DELETE", "/auth", self._revoke),
        ]
        routes += [
            (operation.method, operation.path, self._endpoint(operation))
            for operation in OPERATIONS
        ]
        return routing.app(routing.grouped(routes), self._http_error)

    async def _http_error(self, request: Request, error: Exception) -> Response:
        status, headers = routing.http_error(error)
        where = f"{request.method} {request.url.path}"
        if status == 405:
            missing = MethodNotAllowed(f"The API has no such operation: {where}.")
            return _failure(missing, headers)
        return _failure(NotFound(f"Unknown API endpoint: {where}."))

    async def _authenticate(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = _json_body(raw)
            with self.service.store.change() as state:
                gate = self.service.gatekeeper(state[SECTION], self.service.clock.now())
                auth = gate.authenticate(body, request.headers.get("host"))
        except LuxSciError as error:
            self.log.info("_authenticate: refused (%d): %s", error.status, error.message)
            return _failure(error)
        return _json(201, {"success": 1, "auth": auth})

    async def _revoke(self, request: Request) -> Response:
        signed = _signed_request(request, await request.body())
        try:
            with self.service.store.change() as state:
                gate = self.service.gatekeeper(state[SECTION], self.service.clock.now())
                caller = gate.verify(signed)
                gate.revoke(caller.auth)
        except LuxSciError as error:
            self.log.info("_revoke: refused (%d): %s", error.status, error.message)
            return _failure(error)
        return _json(200, {"success": 1, "comment": "Authentication session revoked."})

    def _endpoint(self, operation: ApiCall) -> routing.Endpoint:
        async def endpoint(request: Request) -> Response:
            signed = _signed_request(request, await request.body())
            transaction = (
                self.service.store.read if operation.method == "GET" else self.service.store.change
            )
            try:
                with transaction() as state:
                    published = state.get("dns") or {}
                    reply = self._run(operation, request, signed, state[SECTION], published)
                    # Rendered under the lock: the reply still refers to live records.
                    response = _json(reply.status, reply.envelope())
            except LuxSciError as error:
                self.log.info(
                    "endpoint: %s %s refused (%d): %s",
                    operation.method,
                    signed.path,
                    error.status,
                    error.message,
                )
                return _failure(error)
            except Exception:
                self.log.exception("endpoint: %s %s failed", operation.method, signed.path)
                return _json(500, error_envelope("Internal server error."))
            return response

        return endpoint

    def _run(
        self,
        operation: ApiCall,
        request: Request,
        signed: SignedRequest,
        data: dict[str, Any],
        published: Mapping[str, str],
    ) -> Reply:
        now = self.service.clock.now()
        caller = self.service.gatekeeper(data, now).verify(signed)
        params: dict[str, str] = dict(request.path_params)
        owner = None
        if operation.scope == "account":
            _check_account(caller, params["account_id"], data)
        else:
            owner = _check_user(caller, params["login"], data, now)
        acl = caller.integration.acl
        if operation.acl is not None and acl is not None and operation.acl not in acl:
            raise AccessDenied(
                f"Access denied: this API integration has not been granted the "
                f"'{operation.acl}' access control."
            )
        body = _json_body(signed.body) if operation.method in {"POST", "PUT"} else {}
        call = Call(data, now, caller, params, request.query_params, body, owner, published)
        return operation.handler(call)


def _check_account(caller: Caller, account_id: str, data: Mapping[str, Any]) -> None:
    if caller.integration.scope != "account":
        raise AccessDenied(
            "This API integration has user scope: account-level API functions are not permitted."
        )
    if account_id != data["account_id"]:
        raise AccessDenied(
            f"Access denied: this API integration cannot access account {account_id}."
        )


def _check_user(caller: Caller, login: str, data: dict[str, Any], now: float) -> Mapping[str, Any]:
    account = Account(data, now)
    if caller.user_id is not None:
        own = account.user_by_id(caller.user_id)
        if own is None or own["user"] != login.lower():
            raise AccessDenied(
                "Access denied: a user-scope API session may only act for its own user."
            )
    return account.user(login)
