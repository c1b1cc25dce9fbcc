"""What mailform assumes about the LuxSci REST API v2, and how a read-only examination of a
real account checks each assumption.

The transport assumptions are written out here, each naming the client's own constants
where it has them (``API_PREFIX``, the success values, the report page size), so that the
check and the code cannot disagree. The object types' assumptions are derived from the
types' descriptions (``Endpoint``, ``wire_fields``, ``answer_fields``, the operations the API
has): each type has a ``list`` row (the call and its envelope), a ``fields`` row (what its
rows carry), a ``get`` row where the API reads one object, and a row per write. What the
descriptions cannot say (the evidence behind each row, what a write's body holds) is in
``NOTES``, by type and operation; a type added without notes gets rows tagged INF.

``examine`` makes the reads: the lists and reports a plan makes (of the first few owners'
Secure Marketing objects), one detail read per type where the account has an object, and
one read of a domain that cannot exist, for the error envelope and the 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import unquote

from mailform.assumptions.base import (
    RETRY_AFTER_BY_HAND,
    Assumption,
    Check,
    Clock,
    Exchange,
    Finding,
    Observed,
    by_status,
    check_no_rate_limit_headers,
    check_retry_after,
    check_rows,
    confirmed,
    contradicted,
    names,
    no_object_read,
    not_seen,
    one_object,
    plural,
    rows_of,
    status_words,
    type_assumption,
)
from mailform.engine.objecttype import Operation
from mailform.engine.session import Session
from mailform.services.luxsci.client import (
    API_PREFIX,
    AUTH_PATH,
    DEFAULT_RATE_PER_MINUTE,
    REPORT_PAGE_SIZE,
    SUCCESS_VALUES,
    LuxSciClient,
)
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.rest import Endpoint, RestApi, RestType
from mailform.services.luxsci.service import LUXSCI

SERVICE = "luxsci"

#: How far the server's clock may be from this machine's before doctor calls it a
#: contradiction, and the skew the auth ``date`` is assumed to be accepted within.
CLOCK = Clock(margin=60, tolerance=300)

#: A domain no account can hold (``.invalid`` is reserved): the read of it shows the error
#: envelope and the status of "not found".
MISSING_DOMAIN = "mailform-doctor.invalid"

#: The shape of an auth code: ``<id>-<unix seconds>-<64 hex>``.
AUTH_CODE = re.compile(r"\d+-\d+-[0-9a-fA-F]{64}")

#: Envelope keys that would mean a list is paged.
PAGING_KEYS = ("total_matches", "next", "page", "pages", "has_more", "more", "cursor")

#: How many users' Secure Marketing objects an examination reads by default.
DEFAULT_OWNERS = 3


def rest_types() -> list[RestType[Any]]:
    """The LuxSci object types, in the service's order."""
    return [t for t in LUXSCI.object_types if isinstance(t, RestType)]


# -- which requests are reads ----------------------------------------------------------------


def is_read(method: str, path: str) -> bool:
    """Whether a request only reads: a GET under the API's prefix, or the authentication
    session's own calls (``POST /auth`` creates a session, ``DELETE /auth`` ends it; neither
    changes the account)."""
    path = unquote(path)
    if path == AUTH_PATH:
        return method in ("POST", "DELETE")
    return method == "GET" and path.startswith(API_PREFIX + "/")


# -- reading the account ---------------------------------------------------------------------


def examine(session: Session[LuxSciClient], observed: Observed, owners: frozenset[str]) -> None:
    """Make the reads that check the assumptions, recording into ``observed``: every type's
    list (user-scope types: of ``owners``, or of the first few users), one detail read per
    type that has one and an object, and one read of a domain that does not exist."""
    from mailform.assumptions import read_types

    client = session.client
    chosen = owners or frozenset(sorted(LUXSCI.owners(session))[:DEFAULT_OWNERS])
    read_types(LUXSCI.object_types, session, observed, chosen)
    for object_type in rest_types():
        listing = object_type.listing()
        paths = {unquote(p) for p in _listing_paths(client, listing, chosen)}
        observed.listings[object_type.name] = [
            e for e in observed.exchanges if e.method == "GET" and unquote(e.path) in paths
        ]
    for object_type in rest_types():
        live = [o for o in observed.objects.get(object_type.name, ()) if o.api_id is not None]
        if not object_type.endpoint.detail or not live:
            continue
        obj = live[0]
        api = object_type.api(session)
        owner = object_type.owner_of(obj.fields)
        item = object_type.endpoint.item or object_type.endpoint.collection
        answers = observed.recorded(partial(client.get, api.path(owner, item, obj.api_id)))
        if answers:
            observed.details[object_type.name] = answers[-1]
    missing = observed.recorded(lambda: RestApi(client, DOMAINS.endpoint).get(MISSING_DOMAIN))
    if missing:
        observed.probes["not_found"] = missing[-1]


def _listing_paths(client: LuxSciClient, endpoint: Endpoint, owners: frozenset[str]) -> list[str]:
    if endpoint.scope == "account":
        return [client.account_path(endpoint.collection)]
    return [client.user_path(owner, endpoint.collection) for owner in sorted(owners)]


def template(endpoint: Endpoint, *parts: str) -> str:
    """A path as the docs write it: ``/account/{accountId}/aliases``."""
    base = "/account/{accountId}" if endpoint.scope == "account" else "/user/{login}"
    return "/".join([base, *parts])


# -- transport checks ------------------------------------------------------------------------


def _auth(observed: Observed) -> list[Exchange]:
    return [e for e in observed.exchanges if e.method == "POST" and unquote(e.path) == AUTH_PATH]


def _signed(observed: Observed) -> list[Exchange]:
    return [e for e in observed.exchanges if unquote(e.path) != AUTH_PATH]


def _reads(observed: Observed) -> list[Exchange]:
    """The answers of the lists and the detail reads (not the deliberate 404), each once."""
    listed = [e for exchanges in observed.listings.values() for e in exchanges]
    return list({id(e): e for e in [*listed, *observed.details.values()]}.values())


def _user_scope(observed: Observed) -> list[Exchange]:
    return [e for e in _signed(observed) if unquote(e.path).startswith(f"{API_PREFIX}/user/")]


def check_base_path(observed: Observed) -> Finding:
    """Auth and reads under ``API_PREFIX`` answer something other than 404."""
    answered = [e for e in observed.exchanges if e.status != 404]
    lost = [e for e in _auth(observed) if e.status == 404]
    if lost:
        return contradicted(f"POST {AUTH_PATH} answered 404: the API is not at {API_PREFIX}")
    if not answered:
        return contradicted(f"every request under {API_PREFIX} answered 404")
    return confirmed(f"{plural(len(answered), 'answer')} under {API_PREFIX}")


def check_auth_request(observed: Observed) -> Finding:
    """The auth answer: 201, success, an auth code of the documented shape."""
    answers = _auth(observed)
    if not answers:
        return not_seen("no authentication was answered")
    answer = answers[-1]
    if answer.status == 401:
        return not_seen(
            f"authentication was refused ({status_words(answer, 'error_message')}): the "
            "credentials are wrong, or this machine's clock is off"
        )
    code = answer.envelope.get("auth")
    problems = []
    if answer.status != 201:
        problems.append(f"HTTP {answer.status}, not 201 (mailform takes any success status)")
    if answer.envelope.get("success") not in SUCCESS_VALUES:
        problems.append("no `success: 1`")
    if not isinstance(code, str):
        problems.append("no `auth` code in the answer")
    elif not AUTH_CODE.fullmatch(code):
        problems.append("the `auth` code is not `<id>-<unix>-<64 hex>` (mailform sends it as is)")
    if problems:
        return contradicted("; ".join(problems), ("keys", sorted(answer.envelope)))
    return confirmed("HTTP 201 with `success: 1` and an `auth` code of the documented shape")


def check_auth_signature(observed: Observed) -> Finding:
    """The authentication was accepted (a refusal may also mean wrong credentials)."""
    answers = _auth(observed)
    if not answers:
        return not_seen("no authentication was answered")
    if answers[-1].status == 401:
        return not_seen(
            "authentication was refused (401): wrong credentials, a clock off by minutes, or "
            "a signature the API computes otherwise; check the first two first"
        )
    return confirmed(f"the signed authentication was accepted (HTTP {answers[-1].status})")


def check_request_signature(observed: Observed) -> Finding:
    """Signed requests are accepted: not every one refused with 401."""
    signed = [e for e in _signed(observed) if e.method == "GET"]
    if not signed:
        return not_seen("no signed request was answered")
    refused = [e for e in signed if e.status == 401]
    if len(refused) == len(signed):
        return contradicted(f"every signed read ({len(signed)}) was refused with 401")
    return confirmed(f"{plural(len(signed) - len(refused), 'signed read')} accepted")


def check_revoke(observed: Observed) -> Finding:
    """The session's end: ``DELETE /auth`` answers 200 with ``success: 1``."""
    answers = [
        e for e in observed.exchanges if e.method == "DELETE" and unquote(e.path) == AUTH_PATH
    ]
    if not answers:
        return not_seen("the session was not ended (the examination stopped early)")
    answer = answers[-1]
    if answer.status == 200 and answer.envelope.get("success") in SUCCESS_VALUES:
        return confirmed("HTTP 200 with `success: 1`")
    return contradicted(
        f"{status_words(answer, 'error_message')}: the session may stay open until it expires",
        ("keys", sorted(answer.envelope)),
    )


def check_success_envelope(observed: Observed) -> Finding:
    """Every successful read: HTTP 200, ``success`` one of the success values, ``data``."""
    reads = [e for e in _reads(observed) if e.status < 400]
    if not reads:
        return not_seen("no read succeeded")
    odd = [
        e
        for e in reads
        if e.status != 200
        or e.envelope.get("success") not in SUCCESS_VALUES
        or "data" not in e.envelope
    ]
    if odd:
        sample = odd[0]
        statuses = sorted({e.status for e in odd})
        return contradicted(
            f"{len(odd)} of {plural(len(reads), 'read')} answered otherwise: HTTP "
            f"{', '.join(map(str, statuses))}, keys {names(sorted(sample.envelope))}",
            ("first such answer", sample.envelope),
        )
    return confirmed(f"{plural(len(reads), 'read')}: HTTP 200, `success: 1`, `data`")


def check_error_envelope(observed: Observed) -> Finding:
    """The read of a domain that cannot exist answers ``success: 0`` and ``error_message``."""
    answer = observed.probes.get("not_found")
    if answer is None:
        return not_seen("the read of a missing domain was not answered")
    envelope = answer.envelope
    if envelope.get("success") in (0, "0", False) and isinstance(
        envelope.get("error_message"), str
    ):
        return confirmed(f"HTTP {answer.status} with `success: 0` and `error_message`")
    return contradicted(
        f"the failure answered keys {names(sorted(envelope))} "
        f"(`success` = {envelope.get('success')!r}): the client shows the HTTP reason instead "
        "of the API's message",
    )


def check_not_found(observed: Observed) -> Finding:
    """A missing object answers 404."""
    answer = observed.probes.get("not_found")
    if answer is None:
        return not_seen("the read of a missing domain was not answered")
    if answer.status == 404:
        return confirmed(f"GET {template(DOMAINS.endpoint, 'domains', '{domain}')}: HTTP 404")
    return contradicted(
        f"a missing domain answered {status_words(answer, 'error_message')}, not 404: "
        'mailform takes 404 for "does not exist"'
    )


def check_lists(observed: Observed) -> Finding:
    """Every non-report list answers one array, with nothing that suggests paging."""
    plain = [
        e
        for t in rest_types()
        if not t.listing().report
        for e in observed.listings.get(t.name, ())
        if e.status < 400
    ]
    if not plain:
        return not_seen("no list was read")
    not_arrays = [e for e in plain if not isinstance(e.envelope.get("data"), list)]
    paged = sorted({k for e in plain for k in PAGING_KEYS if k in e.envelope})
    if not_arrays:
        return contradicted(
            f"{len(not_arrays)} of {plural(len(plain), 'list')} had no `data` array"
        )
    if paged:
        return contradicted(
            f"list answers carry {names(paged)}: they may be paged, and mailform reads one "
            "call only"
        )
    return confirmed(f"{plural(len(plain), 'list')}, each one `data` array, no paging keys")


def check_report_paging(observed: Observed) -> Finding:
    """A report answers ``header``, ``data`` and ``total_matches``, and its pages add up."""
    reports = [(t, observed.listings.get(t.name, [])) for t in rest_types() if t.listing().report]
    answers = [e for _, pages in reports for e in pages if e.status < 400]
    if not answers:
        return not_seen("no report was read (no user's Secure Marketing lists)")
    problems = []
    for answer in answers:
        query = dict(part.partition("=")[::2] for part in answer.query.split("&") if part)
        if "first_row" not in query or query.get("matches") != str(REPORT_PAGE_SIZE):
            problems.append("a page was asked for without `first_row`/`matches`")
        missing = [k for k in ("header", "data", "total_matches") if k not in answer.envelope]
        if missing:
            problems.append(f"a page lacks {names(missing)}")
        total, data = answer.envelope.get("total_matches"), answer.envelope.get("data")
        if isinstance(data, list) and isinstance(total, int) and len(data) > total:
            problems.append("a page holds more rows than `total_matches`")
    if problems:
        return contradicted("; ".join(dict.fromkeys(problems)))
    return confirmed(
        f"{plural(len(answers), 'report page')} with `header`, `data` and `total_matches`"
    )


def check_at_sign(observed: Observed) -> Finding:
    """User-scope paths with a raw ``@`` are found and their signatures accepted."""
    raw = [e for e in _user_scope(observed) if "@" in e.path]
    if not raw:
        return not_seen("no user-scope path was read (the account has no users)")
    refused = [e for e in raw if e.status in (401, 404)]
    if refused:
        return contradicted(
            f"{len(refused)} of {plural(len(raw), 'read')} with `@` in the path answered "
            f"{', '.join(str(s) for s in sorted(by_status(refused)))}"
        )
    return confirmed(f"{plural(len(raw), 'read')} with a raw `@` in the path answered")


def check_user_scope(observed: Observed) -> Finding:
    """Account authentication reads ``/user/{login}/…`` without the user's password."""
    answers = _user_scope(observed)
    if not answers:
        return not_seen("no user-scope path was read (the account has no users)")
    refused = [e for e in answers if e.status == 403]
    if len(refused) == len(answers):
        return contradicted(
            f"every user-scope read ({len(answers)}) was refused with 403: this integration "
            "may not act for the account's users (or lacks every Secure Marketing access "
            "control)"
        )
    if refused:
        return confirmed(
            f"{plural(len(answers) - len(refused), 'user-scope read')} answered; "
            f"{len(refused)} refused with 403 (access controls the integration lacks)"
        )
    return confirmed(f"{plural(len(answers), 'user-scope read')} answered")


# -- object types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """What a type's description cannot say about one of its rows: the evidence tag, the
    text of the body or answer column, and, for a call the generic mapping does not make
    (a rename, a server's rate), the call itself."""

    evidence: str
    text: str = ""
    call: str = ""


#: By type name, then operation: the evidence and the words of each row of the type's
#: table in docs/api-assumptions.md (the rest is derived from the type's description).
NOTES: Mapping[str, Mapping[str, Row]] = {
    "domains": {
        "list": Row("DOC (path)"),
        "fields": Row("INF (keys)", '`"settings": {…}` (not documented: passed through as given)'),
        "get": Row("DOC"),
        "create": Row("INF", '`{"domain": name, "settings": {…}}`'),
        "update": Row(
            "DOC (partial), INF (keys)", '`{"settings": {…}}`, partial: omitted settings unchanged'
        ),
        "delete": Row("DOC (users), INF (aliases, 409)", "409 while users or aliases are in it"),
    },
    "dkim": {
        "list": Row("DOC (path)"),
        "fields": Row("INF (keys)", "also `created`"),
        "get": Row("CODE"),
        "create": Row(
            "CODE (body), INF (rules)",
            '`{"domain": name}`; the domain must exist in the account (404 otherwise); 409 if '
            "it has DKIM already",
        ),
        "delete": Row("INF"),
    },
    "bounce_domains": {
        "list": Row("INF", "no list of its own: read from the domains report"),
        "fields": Row("INF", "`bounce_domain` is the empty string when the domain has none"),
        "create": Row(
            "DOC (path), INF (keys)",
            '`{"bounce_domain": "bounce.example.com", "from_domain": "example.com"}`',
        ),
    },
    "users": {
        "list": Row("DOC (path, params)", "query `status`, `domain` optional"),
        "fields": Row(
            "CODE (profile keys), INF",
            '`"status": "enabled"|"disabled"`; also `domainname`, `modified`',
        ),
        "create": Row("INF", '`{"user": login, "password": …, "name"?, …settings}`'),
        "update": Row("INF", "any of `name, status, disk_quota, company, custom1..3`; partial"),
        "rename": Row(
            "DOC (key), INF (method)",
            '`{"new_address": login}`',
            call="`PUT /account/{accountId}/users/{user}/rename`",
        ),
        "password": Row(
            "DOC (201), INF",
            '`{"password": …}`; answer **201**',
            call="`PUT /user/{login}/password` (user scope)",
        ),
        "delete": Row("INF"),
    },
    "aliases": {
        "list": Row("DOC (path)"),
        "fields": Row(
            "DOC (kinds), 3P (keys), INF",
            '`"action": "email"|"bounce"`, `"status": "enabled"|"disabled"`, `"type": '
            '"regular"|"catchall"|"user_forward"|"webaide_group"`; also `alias_id`, `user`, '
            "`domain`",
        ),
        "get": Row("DOC"),
        "create": Row(
            "CODE (keys user, domain, dest, action, bounce), INF (dest as array; status)",
            '`{"user", "domain", "dest": [addresses], "action", "bounce"?, "status"?}`',
        ),
        "update": Row(
            "DOC (enable/disable), INF", 'any of `{"dest", "action", "bounce", "status"}`; partial'
        ),
        "delete": Row("CODE"),
    },
    "servers": {
        "list": Row("DOC (path)"),
        "fields": Row("INF (keys)", '`"host": "rs999"`; also `hostname`'),
        "get": Row("DOC", "the row plus `mail_queue_trying`, `mail_queue_unprocessed`"),
        "update": Row(
            "DOC (semantics), INF (method, keys)",
            '`{"rate": messages per hour, "auto_warmup": bool}`; `rate` 0 or -1 = no throttling',
            call="`PUT /account/{accountId}/server/{server_id}/sending_rate`",
        ),
    },
    "custom_fields": {
        "list": Row("DOC (path)"),
        "fields": Row("INF (keys)"),
        "create": Row(
            "INF", '`{"code_word", "name", "type"}`; `type` ∈ `text, number, date, boolean`'
        ),
    },
    "template_groups": {
        "list": Row("DOC (path)"),
        "fields": Row("INF (keys)"),
        "create": Row(
            "INF",
            '`{"name"}`; answer `data` = the new row (the reference prints '
            "`/template_group/{template_group_id}`; the sandbox accepts both)",
        ),
        "update": Row("DOC", '`{"name"}` (the only mutable field)'),
        "delete": Row("INF", "member templates become ungrouped (`template_group_id` 0)"),
    },
    "templates": {
        "list": Row("DOC (path)"),
        "fields": Row("DOC (id, code_word), INF"),
        "get": Row("DOC", "the path also takes the code word"),
        "create": Row("INF", "the row's fields except the ids; answer `data` = the new row"),
        "update": Row("DOC", "**replaces all fields** (omitted ones become empty)"),
        "delete": Row("DOC"),
    },
    "content_tags": {
        "list": Row("DOC (path)"),
        "fields": Row("INF", '`"type": "static"|"dynamic"`'),
        "get": Row("DOC", "the path also takes the code word"),
        "create": Row(
            "DOC (static only), INF", '`{"code_word", "name", "content"}`; always static'
        ),
        "update": Row(
            "DOC",
            "replaces all fields; it cannot change the type, and a dynamic tag's rules cannot "
            "be changed (403)",
        ),
        "delete": Row("DOC"),
    },
    "list_groups": {
        "list": Row("DOC (path)"),
        "fields": Row("INF"),
        "create": Row(
            "INF",
            '`{"name"}`; answer `data` = the row (path quirk as for template groups; the '
            "sandbox accepts both)",
        ),
        "update": Row("DOC", '`{"name"}` only'),
        "delete": Row("DOC (v2), INF (v3)", "member lists get `list_group_id` 0"),
    },
    "lists": {
        "list": Row("DOC (params), INF (keys)", "paged as `luxsci.reports.paging` says"),
        "fields": Row(
            "DOC (columns), INF (`custom_fields`)",
            "`custom_fields` an array of code words; also `created`, `modified`",
        ),
        "get": Row("DOC (path), INF (method)"),
        "create": Row(
            "INF",
            '`{"name", "from_email", "from_name", "reply_email", "list_group_id", '
            '"custom_fields"}`; answer `data` = the row',
        ),
        "update": Row("INF", "any of the create fields; partial"),
        "delete": Row("DOC", "deletes the list's contacts too"),
    },
}

#: The operations of a type's table, in order, besides the rows ``NOTES`` adds.
WRITES = (("create", Operation.CREATE), ("update", Operation.UPDATE), ("delete", Operation.DELETE))


def type_assumptions(object_type: RestType[Any]) -> list[Assumption]:
    """The assumptions of one object type, from its description and its ``NOTES``."""
    notes = NOTES.get(object_type.name, {})
    endpoint, listing = object_type.endpoint, object_type.listing()
    item = endpoint.item or endpoint.collection
    one = f"{item}/{{{endpoint.id_field}}}"

    def row(op: str, call: str, statement: str, check: Check | None = None) -> Assumption:
        note = notes.get(op, Row("INF"))
        return type_assumption(
            object_type,
            op,
            call=note.call or call,
            statement="; ".join(part for part in (statement, note.text) if part),
            evidence=note.evidence,
            check=check,
        )

    listed = "a report, every page read" if listing.report else "`data`: every object, one call"
    rows = [
        row(
            "list",
            f"`GET {template(listing, listing.collection)}`",
            listed,
            lambda observed: _check_list(object_type, observed),
        ),
        row(
            "fields",
            f"`GET {template(listing, listing.collection)}`",
            f"rows carry {names(object_type.answer_fields())}",
            lambda observed: _check_fields(object_type, observed),
        ),
    ]
    if endpoint.detail:
        rows.append(
            row(
                "get",
                f"`GET {template(endpoint, one)}`",
                "`data`: the object's row",
                lambda observed: _check_detail(object_type, observed),
            )
        )
    methods = {"create": "POST", "update": "PUT", "delete": "DELETE"}
    for op, operation in WRITES:
        if not object_type.supports(operation):
            continue
        where = endpoint.create_at or endpoint.collection if op == "create" else one
        rows.append(row(op, f"`{methods[op]} {template(endpoint, where)}`", ""))
    for op in notes:
        if op not in {r.topic for r in rows}:
            rows.append(row(op, "", ""))
    return rows


def _what(object_type: RestType[Any]) -> str:
    listing = object_type.listing()
    return f"GET {template(listing, listing.collection)}"


def _check_list(object_type: RestType[Any], observed: Observed) -> Finding:
    answers = observed.listings.get(object_type.name, [])
    if not answers:
        why = observed.failures.get(object_type.name, "no owner to read it for")
        return not_seen(f"{_what(object_type)} was not read: {why}")
    missing = [e for e in answers if e.status in (404, 405)]
    if missing:
        return contradicted(
            f"{_what(object_type)} answered {status_words(missing[0], 'error_message')}: the "
            "API has no such list"
        )
    refused = [e for e in answers if e.status in (401, 403)]
    if len(refused) == len(answers):
        return not_seen(
            f"{_what(object_type)} was refused: {status_words(refused[0], 'error_message')}"
        )
    failed = [e for e in answers if e.status >= 400 and e not in refused]
    if failed:
        return contradicted(
            f"{_what(object_type)} answered {status_words(failed[0], 'error_message')}"
        )
    arrays = [e for e in answers if isinstance(e.envelope.get("data"), list)]
    if len(arrays) < len(answers) - len(refused):
        return contradicted(f"{_what(object_type)} answered no `data` array")
    return confirmed(
        f"{_what(object_type)}: {plural(len(arrays), 'answer')}, "
        f"{plural(len(rows_of(arrays, 'data')), 'row')}"
    )


def _check_fields(object_type: RestType[Any], observed: Observed) -> Finding:
    answers = [e for e in observed.listings.get(object_type.name, []) if e.status < 400]
    if not answers:
        return not_seen(f"{_what(object_type)} was not read")
    rows = rows_of(answers, "data")
    if object_type.listing() is not object_type.endpoint:
        rows = [row for row in rows if isinstance(row, dict) and row.get("bounce_domain")] or rows
    return check_rows(
        object_type,
        rows,
        observed.objects.get(object_type.name, []),
        object_type.answer_fields(),
        unknown=object_type.listing() is object_type.endpoint,
    )


def _check_detail(object_type: RestType[Any], observed: Observed) -> Finding:
    answer = observed.details.get(object_type.name)
    endpoint = object_type.endpoint
    item = endpoint.item or endpoint.collection
    what = f"GET {template(endpoint, item, '{' + endpoint.id_field + '}')}"
    if answer is None:
        return no_object_read(object_type, observed)
    if answer.status >= 400:
        return contradicted(f"{what} answered {status_words(answer, 'error_message')}")
    return one_object(what, answer.envelope.get("data"), object_type.answer_fields(), "data")


# -- the registry ----------------------------------------------------------------------------


#: A row of this service's transport table.
_transport = partial(Assumption.transport, SERVICE)


TRANSPORT: tuple[Assumption, ...] = (
    _transport(
        "base_path",
        "base path",
        f"`{API_PREFIX}`; auth at `{AUTH_PATH}`",
        "CODE",
        check_base_path,
    ),
    _transport(
        "auth.request",
        "auth request",
        '`POST /auth`, JSON `{"token", "date", "signature"}` (+ `"user"`, `"pass"` for user '
        'scope); answer 201 `{"success":1,"auth":"<id>-<unix>-<64 hex>"}`',
        "CODE, DOC",
        check_auth_request,
    ),
    _transport(
        "auth.signature",
        "auth signature",
        "hex HMAC-SHA256 (key = secret) over `token\\ndate\\n` (account) or "
        "`token\\ndate\\nuser\\npass\\n` (user); compared case-insensitively",
        "CODE",
        check_auth_signature,
    ),
    _transport(
        "request.signature",
        "request signature",
        "cookie `signature=<auth>:<hex hmac>` over `auth\\nMETHOD\\npath\\nquery\\n"
        "sha256hex(body)\\n`; body hash empty for GET/DELETE; path as sent (`@` not encoded), "
        "query raw as sent",
        "CODE",
        check_request_signature,
    ),
    _transport(
        "auth.revoke",
        "revoke",
        '`DELETE /auth` with the signature cookie; answer 200 `{"success":1,"comment":'
        '"Authentication session revoked."}`',
        "DOC (path, text), INF (method)",
        check_revoke,
    ),
    _transport(
        "auth.lifetime",
        "auth lifetime",
        "not documented; the sandbox expires an auth after 3600 s (configurable); the client "
        "re-authenticates once when a request is refused with 401",
        "INF",
        manual="run an apply longer than an hour with `-v`: a refused auth shows as 'auth token "
        "refused; authenticating again', followed by success",
    ),
    _transport(
        "auth.date_skew",
        "date skew",
        f"not documented; the sandbox accepts `date` within ±{CLOCK.tolerance:.0f} s of its clock",
        "INF",
        manual="authenticate (any read-only verb) from a machine whose clock is set a few "
        "minutes off, then further, and note where LuxSci starts answering 401",
    ),
    _transport(
        "clock",
        "clock",
        f"requests are signed with this machine's clock, which agrees with the server's (its "
        f"`Date` header) within {CLOCK.margin:.0f} s",
        "INF",
        CLOCK.check,
    ),
    _transport(
        "envelope.error",
        "error envelope",
        '`{"success":0,"error_message":"…"}`',
        "CODE (key), INF (value 0)",
        check_error_envelope,
    ),
    _transport(
        "status.not_found",
        "status: not found",
        "404 for an unknown object",
        "INF",
        check_not_found,
    ),
    _transport(
        "status.refusals",
        "status: refusals",
        "400 invalid input; 401 missing/invalid/expired auth or signature; 403 access control "
        "not granted or wrong account/scope; 409 the object exists already or is in use; 5xx "
        "server trouble",
        "INF",
        manual="each needs a refused write: apply a stack file that breaks a rule (an alias in "
        "a domain the account lacks, a second bounce domain for one domain) and compare the "
        "error's HTTP status with this row",
    ),
    _transport(
        "status.rate_limit",
        "status: rate limit",
        "429 over the rate limit, with `Retry-After` seconds",
        "INF",
        check_retry_after,
        manual=RETRY_AFTER_BY_HAND,
    ),
    _transport(
        "envelope.success",
        "success envelope",
        '`{"success":1,"data":…}`; reads answer 200; create/update/delete answer 200 with '
        "`data` absent or the object",
        "DOC (200), INF (data)",
        check_success_envelope,
    ),
    _transport(
        "rate_limit",
        "rate limit",
        f"{DEFAULT_RATE_PER_MINUTE} requests/minute per integration on shared servers (client "
        "default; configurable)",
        "DOC",
        manual="ask LuxSci (or read the integration's page in the web interface) which limit "
        "the integration has, and pass it as `--rate-limit`",
    ),
    _transport(
        "rate_limit.headers",
        "rate-limit headers",
        "answers carry no rate-limit headers: the client keeps to the documented limit on its own",
        "INF",
        check_no_rate_limit_headers,
    ),
    _transport(
        "listing",
        "lists",
        "domains, DKIM, aliases, users, servers, template groups, templates, content tags, "
        "custom fields, list groups: `data` is an array of all objects, one call",
        "DOC",
        check_lists,
    ),
    _transport(
        "reports.paging",
        "report paging",
        "SM v3 `GET …/marketing/lists` is a report: query `first_row` (0-based) and `matches` "
        f'(max rows, ≤ {REPORT_PAGE_SIZE}); answer `{{"success":1,"header":[columns…],"data":'
        '[row objects…],"total_matches":N}`; the client pages until it has `total_matches` rows',
        "DOC (params), INF (keys)",
        check_report_paging,
    ),
    _transport(
        "paths.at_sign",
        "`@` in paths",
        "sent raw, as the samples do; the signature covers the raw path",
        "CODE",
        check_at_sign,
    ),
    _transport(
        "user_scope",
        "user scope with account auth",
        "an account-scope integration calls `/user/{login}/…` for any user of its account, "
        "without the user's password",
        "DOC",
        check_user_scope,
    ),
)


def assumptions() -> tuple[Assumption, ...]:
    """Every LuxSci assumption: the transport's, then each object type's."""
    return (*TRANSPORT, *(a for t in rest_types() for a in type_assumptions(t)))


__all__ = ["SERVICE", "assumptions", "examine", "is_read"]
