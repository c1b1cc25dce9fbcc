"""What mailform assumes about the LianaMailer REST API (V1 calls), and how a read-only
examination of a real account checks each assumption.

As for LuxSci (``mailform.assumptions.luxsci``): the transport assumptions name the
client's own constants, and each object type's rows are derived from its description
(``Calls``, ``wire_fields``, ``answer_fields``), with ``NOTES`` adding what a description
cannot say (evidence, the positional arguments and results of the writes).

Every V1 call is a POST, reads included, so a request is a read by its call's name: the
types' list and detail calls, and ``getConsentTypesBySite``. ``examine`` makes those: every
list, one detail read per type where the API has one and the account an object, and a
``getSite`` of a domain that cannot exist, for the error envelope.
"""

from __future__ import annotations

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
from mailform.engine.session import Session
from mailform.errors import NotFound
from mailform.services.lianamailer.client import (
    DEFAULT_RATE_PER_SECOND,
    DEFAULT_URL,
    V1_PREFIX,
    LianaMailerClient,
    logical_error,
)
from mailform.services.lianamailer.objects.calls import CallType
from mailform.services.lianamailer.service import LIANAMAILER

SERVICE = "lianamailer"

#: How far the server's clock may be from this machine's before doctor calls it a
#: contradiction, and the ``Date`` skew the service is assumed to accept.
CLOCK = Clock(margin=60, tolerance=900)

#: A site no account can hold (``.invalid`` is reserved): its ``getSite`` shows how a
#: logical error is answered.
MISSING_SITE = "mailform-doctor.invalid"

#: Reads the object types do not make, which the examination also checks.
EXTRA_READS = ("getConsentTypesBySite",)

#: Envelope keys that would mean a list is paged.
PAGING_KEYS = ("total", "next", "page", "pages", "has_more", "more", "cursor")


def call_types() -> list[CallType[Any]]:
    """The LianaMailer object types, in the service's order."""
    return [t for t in LIANAMAILER.object_types if isinstance(t, CallType)]


def read_calls() -> frozenset[str]:
    """The V1 calls that only read: every type's list and detail call, and ``EXTRA_READS``."""
    calls = {name for t in call_types() for name in (t.calls.listing, t.calls.detail) if name}
    return frozenset(calls | set(EXTRA_READS))


def call_of(path: str) -> str:
    """The V1 call a path names (``/api/v1/sites``: ``sites``), or ``""``."""
    path = unquote(path)
    return path[len(V1_PREFIX) + 1 :] if path.startswith(V1_PREFIX + "/") else ""


def is_read(method: str, path: str) -> bool:
    """Whether a request only reads: a POST of one of the ``read_calls``."""
    return method == "POST" and call_of(path) in read_calls()


# -- reading the account ---------------------------------------------------------------------


def examine(
    session: Session[LianaMailerClient], observed: Observed, owners: frozenset[str]
) -> None:
    """Make the reads that check the assumptions, recording into ``observed``: every type's
    list, one detail read per type that has one and an object, the consent types of one
    site, and a ``getSite`` of a site that does not exist."""
    from mailform.assumptions import read_types

    client = session.client
    read_types(LIANAMAILER.object_types, session, observed, frozenset())
    for object_type in call_types():
        observed.listings[object_type.name] = [
            e for e in observed.exchanges if call_of(e.path) == object_type.calls.listing
        ]
    for object_type in call_types():
        live = [o for o in observed.objects.get(object_type.name, ()) if o.api_id is not None]
        if object_type.calls.detail and live:
            answers = observed.recorded(
                partial(client.read, object_type.calls.detail, live[0].api_id)
            )
            if answers:
                observed.details[object_type.name] = answers[-1]
    sites = [o for o in observed.objects.get("sites", ()) if o.api_id is not None]
    if sites:
        answers = observed.recorded(partial(client.read, EXTRA_READS[0], sites[0].api_id))
        if answers:
            observed.probes["consents_by_site"] = answers[-1]
    missing = observed.recorded(partial(client.read, "getSite", MISSING_SITE))
    if missing:
        observed.probes["not_found"] = missing[-1]


# -- transport checks ------------------------------------------------------------------------


def _calls(observed: Observed) -> list[Exchange]:
    return [e for e in observed.exchanges if call_of(e.path)]


def _accepted(observed: Observed, what: str) -> Finding:
    """Signed calls are accepted: not every one refused with 401."""
    answers = _calls(observed)
    if not answers:
        return not_seen("no call was answered")
    refused = [e for e in answers if e.status == 401]
    if len(refused) == len(answers):
        return not_seen(
            f"every call was refused ({status_words(refused[0], 'message')}): wrong "
            f"credentials, a clock off by minutes, or {what}; check the first two first"
        )
    return confirmed(f"{plural(len(answers) - len(refused), 'signed call')} accepted")


def check_base_url(observed: Observed) -> Finding:
    """V1 calls at ``/api/v1/<call>`` are found: not every one answered 404."""
    answers = _calls(observed)
    if not answers:
        return not_seen("no call was answered")
    lost = [e for e in answers if e.status in (404, 405)]
    if len(lost) == len(answers):
        return contradicted(f"every call under {V1_PREFIX} answered {lost[0].status}")
    return confirmed(f"{plural(len(answers) - len(lost), 'call')} under {V1_PREFIX} answered")


def check_body(observed: Observed) -> Finding:
    """Calls with positional arguments are taken: none refused for its body."""
    with_args = [e for e in _calls(observed) if e.status != 401]
    if not with_args:
        return not_seen("no call was answered")
    refused = [
        e
        for e in with_args
        if e.status == 400 or "positional" in str(e.envelope.get("message", "")).lower()
    ]
    if refused:
        return contradicted(
            f"{len(refused)} of {plural(len(with_args), 'call')} refused their JSON-array "
            f"body: {status_words(refused[0], 'message')}"
        )
    return confirmed(f"{plural(len(with_args), 'call')} took their arguments as a JSON array")


def check_success_envelope(observed: Observed) -> Finding:
    """Every successful read: HTTP 200, ``succeed: true`` and a ``result``."""
    reads = [
        e
        for e in [*(x for v in observed.listings.values() for x in v), *observed.details.values()]
        if e.status < 400 and e.envelope.get("succeed") is not False
    ]
    if not reads:
        return not_seen("no read succeeded")
    odd = [
        e
        for e in reads
        if e.status != 200 or e.envelope.get("succeed") is not True or "result" not in e.envelope
    ]
    if odd:
        sample = odd[0]
        return contradicted(
            f"{len(odd)} of {plural(len(reads), 'read')} answered otherwise: HTTP "
            f"{sample.status}, keys {names(sorted(sample.envelope))}",
            ("first such answer", sample.envelope),
        )
    return confirmed(f"{plural(len(reads), 'read')}: HTTP 200, `succeed: true`, `result`")


def _missing(observed: Observed) -> Exchange | None:
    return observed.probes.get("not_found")


def check_error_envelope(observed: Observed) -> Finding:
    """The ``getSite`` of a missing site answers ``succeed: false`` and a ``message``."""
    answer = _missing(observed)
    if answer is None:
        return not_seen("the getSite of a missing site was not answered")
    envelope = answer.envelope
    if envelope.get("succeed") is False and isinstance(envelope.get("message"), str):
        return confirmed("`succeed: false` with a `message`", ("message", envelope["message"]))
    return contradicted(
        f"the failure answered keys {names(sorted(envelope))}: the client shows the HTTP "
        "reason instead of the API's message"
    )


def check_logical_status(observed: Observed) -> Finding:
    """A logical error (an unknown site) answers HTTP 200 with ``succeed: false``."""
    answer = _missing(observed)
    if answer is None:
        return not_seen("the getSite of a missing site was not answered")
    if answer.status == 200 and answer.envelope.get("succeed") is False:
        return confirmed("`getSite` of a missing site: HTTP 200, `succeed: false`")
    return contradicted(
        f"`getSite` of a missing site answered {status_words(answer, 'message')}"
        + (" with `succeed: true`" if answer.envelope.get("succeed") is True else "")
    )


def check_error_typing(observed: Observed) -> Finding:
    """The client types a logical error from its message: "not found" is ``NotFound``."""
    answer = _missing(observed)
    if answer is None:
        return not_seen("the getSite of a missing site was not answered")
    message = answer.envelope.get("message")
    if not isinstance(message, str):
        return contradicted("the failure carried no `message` to type it from")
    if logical_error(message) is NotFound:
        return confirmed('the missing site\'s message says "not found": typed as not found')
    return contradicted(
        'the missing site\'s message does not say "not found": mailform would not take it '
        "for a missing object (a delete of a deleted object would fail)",
        ("message", message),
    )


def check_listing(observed: Observed) -> Finding:
    """Every list call answers one array, with nothing that suggests paging."""
    answers = [
        e
        for t in call_types()
        for e in observed.listings.get(t.name, ())
        if e.status < 400 and e.envelope.get("succeed") is True
    ]
    if not answers:
        return not_seen("no list was read")
    not_arrays = [e for e in answers if not isinstance(e.envelope.get("result"), list)]
    paged = sorted({k for e in answers for k in PAGING_KEYS if k in e.envelope})
    if not_arrays:
        return contradicted(
            f"{len(not_arrays)} of {plural(len(answers), 'list')} had no `result` array"
        )
    if paged:
        return contradicted(
            f"list answers carry {names(paged)}: they may be paged, and mailform reads one "
            "call only"
        )
    return confirmed(f"{plural(len(answers), 'list')}, each one `result` array, no paging keys")


# -- object types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """What a type's description cannot say about one of its rows: the evidence tag, the
    result column's text, the call's positional arguments (``args``), and, for a call the
    type's ``Calls`` do not name (an update, a rename), the whole call."""

    evidence: str
    text: str = ""
    args: str = "[]"
    call: str = ""


#: By type name, then operation: the evidence and the words of each row of the type's
#: table in docs/api-assumptions.md (the call names come from the types' ``Calls``).
NOTES: Mapping[str, Mapping[str, Row]] = {
    "sites": {
        "list": Row(
            "CODE (name, options), INF (defaults, order)",
            "array of site objects, sorted by domain; `options` "
            '`{"properties": bool = true, "lists": bool = true, "layout", "marketing", '
            '"parents", "children", "authorization"}` (only the first two have an effect in the '
            'sandbox); `list_options` `{"all_lists": true}`',
            args="[options?, list_options?]",
        ),
        "fields": Row(
            "CODE (`domain`, `welcome`), INF (`language`, `ssl`, `consents`)",
            '`"language": "FI"`, `"welcome"`: a delivery id or null, `"consents"`: the ids of '
            "the consent types the site offers",
        ),
        "get": Row("INF (name)", "one site object", args="[domain]"),
        "create": Row("DOC (args, result), INF (name)", "the domain string", "[domain, settings?]"),
        "update": Row(
            "DOC (args, result), INF (name, partial)",
            "`true`; partial: omitted keys keep their value; no rename",
            call="`updateSite [domain, settings]`",
        ),
        "delete": Row("DOC (args, result), INF (name)", "`true`", args="[domain]"),
    },
    "properties": {
        "list": Row("DOC (name)", "array of property objects, creation order"),
        "fields": Row("CODE (`handle`, `name`, `type`, `required`), INF (the rest)"),
        "create": Row(
            "DOC",
            "the new `handle` (int)",
            args="[name, language?, type?, choices?, required?, subscription?, position?, "
            "datatype?]",
        ),
        "rename": Row(
            "DOC (args, result), INF (name)",
            "`null`",
            call="`renameCustomerProperty [old_name, new_name, language]` (all required)",
        ),
        "delete": Row("DOC (args, result), INF (name)", "`null`", args="[name, language?]"),
    },
    "consent_types": {
        "list": Row("DOC (args), INF (name)", "array of consent type objects by id"),
        "fields": Row("CODE (`consent_id`, `consent_revision`, `name`), INF (`is_revokable`)"),
        "list_by_site": Row(
            "CODE (name), DOC (args), INF (selection, refusal)",
            "array of the consent type objects the site offers (its `consents` setting), by "
            'id; unknown site: "Site not found: …"',
            call="`getConsentTypesBySite [site]` (required)",
        ),
        "create": Row(
            "DOC (args, result), INF (name)",
            "the new `consent_id` (int)",
            args="[name, is_revokable]",
        ),
        "update": Row(
            "DOC (args, result), INF (name)",
            "`1`; a change of name or flag starts a new `consent_revision`",
            call="`editConsentType [consent_id, name, is_revokable]` (all required)",
        ),
        "delete": Row(
            "DOC (args, result), INF (name, refusal)",
            '`1`; refused while a site offers it: "Consent type N is in use by sites […]"',
            args="[consent_id]",
        ),
    },
    "lists": {
        "list": Row(
            "3P (name), DOC (arg)",
            "array of list objects by id; deleted ones only with 1",
            args="[include_deleted?] (0/1)",
        ),
        "fields": Row(
            "3P (`id`, `name`), INF (the rest)",
            '`"condition"`: a JSON string or null, `"site"`: a domain or null',
        ),
        "get": Row(
            "3P (name), DOC (args)",
            "one list object (+ `sms_count` when asked), deleted lists included",
            args="[list_id, get_sms_count?]",
        ),
        "create": Row(
            "DOC",
            "the new id (int); not idempotent: names are not unique",
            args="[name, description?, self_service?, condition?, site?, cem_segment?, "
            "ext_id?, ext_id_type?]",
        ),
        "update": Row(
            'DOC (args, result), INF (name, null/"" semantics)',
            "the list id; name and description required on every call; an omitted/`null` "
            'optional keeps its value; `""` clears `new_condition` or `new_site`',
            call="`editMailingList [list_id, new_name, new_description, new_subs?, "
            "new_condition?, new_site?, new_cem_segment?]`",
        ),
        "delete": Row("DOC (args, result), INF (name, soft)", "`null`; a soft delete", "[list_id]"),
    },
}


def type_assumptions(object_type: CallType[Any]) -> list[Assumption]:
    """The assumptions of one object type, from its ``Calls`` and its ``NOTES``."""
    notes = NOTES.get(object_type.name, {})
    calls = object_type.calls

    def row(op: str, name: str, statement: str, check: Check | None = None) -> Assumption:
        note = notes.get(op, Row("INF"))
        args = notes.get("list", note).args if op == "fields" else note.args
        return type_assumption(
            object_type,
            op,
            call=note.call or (f"`{name} {args}`" if name else ""),
            statement="; ".join(part for part in (statement, note.text) if part),
            evidence=note.evidence,
            check=check,
        )

    rows = [
        row("list", calls.listing, "", lambda observed: _check_list(object_type, observed)),
        row(
            "fields",
            calls.listing,
            f"objects carry {names(object_type.answer_fields())}",
            lambda observed: _check_fields(object_type, observed),
        ),
    ]
    if calls.detail:
        rows.append(
            row("get", calls.detail, "", lambda observed: _check_detail(object_type, observed))
        )
    if object_type.name == "consent_types":
        rows.append(row("list_by_site", EXTRA_READS[0], "", check_consents_by_site))
    if calls.create:
        rows.append(row("create", calls.create, ""))
    for op in notes:
        if op not in {r.topic for r in rows} and op != "delete":
            rows.append(row(op, "", ""))
    if calls.delete:
        rows.append(row("delete", calls.delete, ""))
    return rows


def _check_list(object_type: CallType[Any], observed: Observed) -> Finding:
    name = object_type.calls.listing
    answers = observed.listings.get(object_type.name, [])
    if not answers:
        why = observed.failures.get(object_type.name, "the examination stopped first")
        return not_seen(f"`{name}` was not answered: {why}")
    answer = answers[-1]
    if answer.status in (404, 405):
        return contradicted(f"`{name}` answered {status_words(answer, 'message')}: no such call")
    if answer.status == 401:
        return not_seen(f"`{name}` was refused: {status_words(answer, 'message')}")
    if answer.status >= 400 or answer.envelope.get("succeed") is not True:
        return contradicted(f"`{name}` answered {status_words(answer, 'message')}")
    result = answer.envelope.get("result")
    if not isinstance(result, list):
        return contradicted(f"`{name}`: `result` is not an array")
    return confirmed(f"`{name}`: an array of {plural(len(result), 'object')}")


def _check_fields(object_type: CallType[Any], observed: Observed) -> Finding:
    answers = [
        e
        for e in observed.listings.get(object_type.name, [])
        if e.status < 400 and e.envelope.get("succeed") is True
    ]
    if not answers:
        return not_seen(f"`{object_type.calls.listing}` was not read")
    return check_rows(
        object_type,
        rows_of(answers, "result"),
        observed.objects.get(object_type.name, []),
        object_type.answer_fields(),
    )


def _check_detail(object_type: CallType[Any], observed: Observed) -> Finding:
    name = object_type.calls.detail
    answer = observed.details.get(object_type.name)
    if answer is None:
        return no_object_read(object_type, observed)
    if answer.status >= 400 or answer.envelope.get("succeed") is not True:
        return contradicted(f"`{name}` answered {status_words(answer, 'message')}")
    return one_object(
        f"`{name}`", answer.envelope.get("result"), object_type.answer_fields(), "result"
    )


def check_consents_by_site(observed: Observed) -> Finding:
    """``getConsentTypesBySite`` of a site answers an array of consent type objects."""
    answer = observed.probes.get("consents_by_site")
    if answer is None:
        return not_seen("the account has no site to ask about")
    if answer.status >= 400 or answer.envelope.get("succeed") is not True:
        return contradicted(f"`{EXTRA_READS[0]}` answered {status_words(answer, 'message')}")
    if not isinstance(answer.envelope.get("result"), list):
        return contradicted(f"`{EXTRA_READS[0]}`: `result` is not an array")
    return confirmed(f"`{EXTRA_READS[0]}`: an array")


# -- the registry ----------------------------------------------------------------------------


#: A row of this service's transport table.
_transport = partial(Assumption.transport, SERVICE)


TRANSPORT: tuple[Assumption, ...] = (
    _transport(
        "base_url",
        "base URL",
        f"`{DEFAULT_URL}`; V1 call = `POST {V1_PREFIX}/<call>`",
        "CODE",
        check_base_url,
    ),
    _transport(
        "body",
        "body",
        "a JSON **array** of positional parameters in documented order; trailing optional ones "
        "may be omitted, any optional one may be `null`; booleans may be sent as `0`/`1`. The "
        "sandbox also takes a bare JSON scalar as a one-element array (Liana's plugin sends "
        '`"hello"`) and refuses a JSON object',
        "DOC (§B.1), CODE (0/1, scalar)",
        check_body,
    ),
    _transport(
        "headers",
        "headers",
        "`Content-Type: application/json`, `Content-MD5` (lower-case hex MD5 of the raw body "
        "bytes), `Date`, `Authorization: REALM USER_ID:SIGNATURE`; header names "
        "case-insensitive. The sandbox refuses (401) a missing or other media type (parameters "
        "such as `; charset=utf-8` are ignored) and an upper-case `Content-MD5`",
        "DOC (§A.1), INF (case, refusals)",
        lambda observed: _accepted(observed, "headers the API reads otherwise"),
    ),
    _transport(
        "signature",
        "signature",
        "lower-case hex HMAC-SHA256, key = the API secret's UTF-8 bytes, over "
        "`METHOD\\nContent-MD5\\napplication/json\\nDate\\nbody\\npath?query` (no trailing "
        "newline; `application/json` literal; body and path+query byte-exact as sent, so the "
        "client serialises once and signs those bytes)",
        "DOC (§A.2, vectors §A.3 reproduce)",
        lambda observed: _accepted(observed, "a signature the API computes otherwise"),
    ),
    _transport(
        "date",
        "`Date`",
        "ISO 8601 with an offset, `2020-01-15T12:00:00+03:00` or `+0300`; a date without "
        "offset is refused",
        "DOC (format), CODE (`+0300`), INF (no-offset refusal)",
        lambda observed: _accepted(observed, "a `Date` the API reads otherwise"),
    ),
    _transport(
        "date_skew",
        "`Date` skew",
        f"accepted within ±{CLOCK.tolerance:.0f} s ({CLOCK.tolerance / 60:.0f} min) of server time",
        "INF (from LianaAutomation)",
        manual="make any read-only call (`mailform doctor --service lianamailer`) from a "
        "machine whose clock is set minutes off, then further, and note where LianaMailer "
        "starts answering 401",
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
        "credentials",
        "credentials",
        "`LIANAMAILER_REALM` (e.g. `EUR`, `PV`), `LIANAMAILER_USER_ID` (numeric string), "
        "`LIANAMAILER_API_SECRET`",
        "DOC, CODE",
        lambda observed: _accepted(observed, "credentials of another kind"),
    ),
    _transport(
        "envelope.success",
        "success envelope",
        'HTTP 200 `{"succeed": true, "result": <value>}`; `result` may be an int, `null`, '
        "`true`, a string, an object or an array (per call below)",
        "DOC",
        check_success_envelope,
    ),
    _transport(
        "envelope.error",
        "error envelope",
        '`{"succeed": false, "message": "…"}`',
        "CODE",
        check_error_envelope,
    ),
    _transport(
        "status.logical",
        "status: logical errors",
        "**HTTP 200 with `succeed: false` for every logical error** (bad argument, unknown "
        "id/name, rule violated), which changes nothing",
        "CODE (Liana's client test)",
        check_logical_status,
    ),
    _transport(
        "status.codes",
        "status codes",
        "401 every auth failure (missing header, malformed `Authorization`, unknown realm/user, "
        "`Content-MD5` mismatch, stale or unparsable `Date`, bad signature); 404 unknown call "
        "or API version; 405 non-POST V1 call; 400 body not JSON; 503 transient",
        "CODE (401), INF (rest)",
        manual="each needs a request mailform never sends (a bad signature, an unknown call); "
        "with curl and the documented signing, send one of each and compare the status with "
        "this row",
    ),
    _transport(
        "status.rate_limit",
        "status: rate limit",
        "429 over the rate limit, with `Retry-After` seconds",
        "DOC (429), INF (`Retry-After`)",
        check_retry_after,
        manual=RETRY_AFTER_BY_HAND,
    ),
    _transport(
        "errors",
        "client error rule",
        "any status ≥ 400 or `succeed: false` is an error carrying `message`, typed from it "
        "(not found, already exists / in use, other); 401 is not retried; 429 is always retried "
        "after `Retry-After`; 5xx and connection failures only for calls that are safe to "
        "repeat: reads, calls that set values outright (`updateSite`, `editMailingList`, "
        '`editConsentType`) and deletes (where "not found" counts as done); a create is '
        "repeated only after looking the object up; a rename never",
        "CODE (Liana's PHP client), INF (retry)",
        check_error_typing,
    ),
    _transport(
        "rate_limit",
        "rate limit",
        f"at most {DEFAULT_RATE_PER_SECOND} requests/s per account; the client keeps to that in "
        "any one-second window, counting each request from when its answer arrived (so the "
        "server, which counts it earlier, never sees more). The sandbox enforces a limit only "
        'when one is set in its fault layer (`rate_limit: "4/1s"`)',
        "DOC (§B.3), INF (sandbox)",
        manual="ask Liana support which limit the account has, and pass it as `--rate-limit` "
        "(requests per minute)",
    ),
    _transport(
        "rate_limit.headers",
        "rate-limit headers",
        "answers carry no rate-limit headers: the client keeps to the documented limit on its own",
        "DOC (none documented)",
        check_no_rate_limit_headers,
    ),
    _transport(
        "listing",
        "lists",
        "every list call answers all objects in one array; no paging",
        "INF",
        check_listing,
    ),
    _transport(
        "v2_v3",
        "V2 / V3",
        "not used for the managed objects; the sandbox answers 404",
        "INF",
        manual="nothing to check: mailform sends no V2 or V3 request",
    ),
)


def assumptions() -> tuple[Assumption, ...]:
    """Every LianaMailer assumption: the transport's, then each object type's."""
    return (*TRANSPORT, *(a for t in call_types() for a in type_assumptions(t)))


__all__ = ["SERVICE", "assumptions", "examine", "is_read"]
