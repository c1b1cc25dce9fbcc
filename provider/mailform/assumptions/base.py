"""An assumption about an API as a value, what a read-only examination saw, and the checks
that compare the two.

An ``Assumption`` is one guess mailform makes where the API's documents do not settle a
detail: a stable id (``luxsci.envelope.success``), the docs table it is listed in
(``section``: ``transport`` or an object type's name), its topic, the call it is about, the
statement, the evidence tag (DOC, CODE, 3P, INF, as ``docs/api-assumptions.md`` defines
them), and how it is checked: a function over what ``mailform doctor`` saw (``Observed``), or,
for what no read can show (what a create answers, which rules the server enforces), the
procedure a user follows by hand (``manual``).

A check never sees what the client made of an answer, only what the server sent: each
``Exchange`` is one request and its answer as it arrived (status, headers, the body's JSON).
A ``Finding`` says what was seen in words that carry no answer value; the values behind it
travel apart (``values``), shown only when the user asks (``--show-values``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from mailform.engine.objecttype import LiveObject, ObjectType, field_adapter
from mailform.errors import ApiError


class Status(StrEnum):
    """What an examination says about an assumption."""

    #: The answers agree with it.
    CONFIRMED = "confirmed"
    #: The answers disagree: mailform's picture of the API is wrong for this account.
    CONTRADICTED = "contradicted"
    #: Only a write could show it; ``Assumption.manual`` says how to check it by hand.
    NOT_CHECKABLE = "not checkable read-only"
    #: Checkable, but this account gave nothing to look at (no object of the type, a read
    #: refused for lack of access, a run stopped early).
    NOT_SEEN = "not seen"


@dataclass(frozen=True)
class Finding:
    """What was seen of one assumption: its status, and ``seen`` in words that quote no
    answer value (paths are shown as templates, objects by count). ``values`` are the answer
    values behind it, by label, for ``--show-values``."""

    status: Status
    seen: str
    values: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Exchange:
    """One request doctor sent and the answer as it arrived.

    ``path`` is the path as sent (percent-encoding kept, no query), ``call`` what the
    request does in the API's words (``GET /account/{accountId}/aliases``, the LianaMailer
    call name), ``headers`` the answer's headers by lower-case name, ``body`` its JSON
    (``None`` when it is not JSON: ``is_json`` then is false) and ``received_at`` this
    machine's clock when it arrived (Unix seconds).
    """

    method: str
    path: str
    query: str
    status: int
    headers: Mapping[str, str]
    body: Any
    is_json: bool
    received_at: float

    @property
    def server_time(self) -> float | None:
        """The server's clock by its ``Date`` header (Unix seconds), when it sent one."""
        text = self.headers.get("date")
        if not text:
            return None
        try:
            return parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError, IndexError):
            return None

    @property
    def envelope(self) -> Mapping[str, Any]:
        """The body when it is a JSON object, else an empty mapping."""
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class Observed:
    """Everything a read-only examination of one service's account saw.

    ``exchanges`` holds every request and answer in order; ``listings`` the list answers of
    each object type (one per owner, or per page of a report); ``details`` the one detail read
    of a type; ``probes`` the answers to deliberate reads (``not_found``: an object that does
    not exist); ``objects`` what each type's own mapping made of its rows; ``failures`` why a
    type could not be read; ``error`` why the examination stopped, if it did.
    """

    service: str
    exchanges: list[Exchange] = field(default_factory=list)
    listings: dict[str, list[Exchange]] = field(default_factory=dict)
    details: dict[str, Exchange] = field(default_factory=dict)
    probes: dict[str, Exchange] = field(default_factory=dict)
    objects: dict[str, list[LiveObject]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def recorded(self, call: Callable[[], Any]) -> list[Exchange]:
        """Make ``call`` (errors the API answered are kept as exchanges, not raised) and
        answer the exchanges it recorded."""
        start = len(self.exchanges)
        with contextlib.suppress(ApiError):
            call()
        return self.exchanges[start:]


Check = Callable[[Observed], Finding]


@dataclass(frozen=True)
class Assumption:
    """One thing mailform assumes about an API (see the module's docstring).

    ``section`` is the docs table the assumption is a row of (``transport``, or an object
    type's name); ``topic`` its first column (a transport topic, or a type's operation:
    ``list``, ``fields``, ``create``…); ``call`` the request it is about, for type rows
    (``GET /aliases``, ``getMailingLists [include_deleted?]``). ``check`` is None for what a
    read cannot show; ``manual`` then says how to check it by hand. An assumption with both
    is checked when the examination happens to see it (a 429), and by hand otherwise.
    """

    id: str
    service: str
    section: str
    topic: str
    statement: str
    evidence: str
    call: str = ""
    check: Check | None = None
    manual: str = ""

    def __post_init__(self) -> None:
        if not ID.fullmatch(self.id):
            raise ValueError(f"assumption ids are dotted lower-case words, not {self.id!r}")
        if self.check is None and not self.manual:
            raise ValueError(f"{self.id}: an assumption no read can check needs a `manual`")

    @property
    def checkable(self) -> bool:
        """Whether a read-only examination can check it."""
        return self.check is not None

    @classmethod
    def transport(
        cls,
        service: str,
        id: str,
        topic: str,
        statement: str,
        evidence: str,
        check: Check | None = None,
        manual: str = "",
    ) -> Assumption:
        """A row of the service's transport table: ``id`` within the service."""
        return cls(
            id=f"{service}.{id}",
            service=service,
            section="transport",
            topic=topic,
            statement=statement,
            evidence=evidence,
            check=check,
            manual=manual,
        )

    def examine(self, observed: Observed) -> Finding:
        """The finding of this assumption on what was observed."""
        if self.check is None:
            return Finding(Status.NOT_CHECKABLE, self.manual)
        if observed.error is not None and not observed.exchanges:
            return Finding(Status.NOT_SEEN, f"nothing was read: {observed.error}")
        return self.check(observed)


#: An assumption id: dotted lower-case words (``luxsci.envelope.success``).
ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")

#: How code names the assumptions it relies on, in a comment or a docstring, in
#: parentheses (the list may wrap): ``(assumes: luxsci.envelope.success,
#: luxsci.envelope.error)``.
MARKER = re.compile(r"\(assumes:([^)]*)\)")


def named_ids(text: str) -> set[str]:
    """The assumption ids ``text`` names with ``(assumes: …)`` markers."""
    return {name for match in MARKER.finditer(text) for name in ID.findall(match.group(1))}


# -- helpers for checks ----------------------------------------------------------------------


def confirmed(seen: str, *values: tuple[str, Any]) -> Finding:
    """A confirmed finding."""
    return Finding(Status.CONFIRMED, seen, tuple(values))


def contradicted(seen: str, *values: tuple[str, Any]) -> Finding:
    """A contradicted finding."""
    return Finding(Status.CONTRADICTED, seen, tuple(values))


def not_seen(seen: str) -> Finding:
    """A finding of an assumption this account gave nothing to check with."""
    return Finding(Status.NOT_SEEN, seen)


def words(object_type: ObjectType[Any]) -> str:
    """A type's title in lower-case words (``BounceDomain``: ``bounce domain``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", object_type.title).lower()


def by_hand(object_type: ObjectType[Any], op: str) -> str:
    """How a user checks by hand an assumption about a write (``op``: create, update,
    rename, password, delete) that no read can show: make the change with mailform, then
    plan again."""
    what = f"a throwaway {words(object_type)}"
    kind = f"{object_type.service}.{object_type.name}"
    plan = "then `mailform plan` the same file: no changes left means the call is as assumed"
    return {
        "create": f"declare {what} in a test stack file, `mailform apply` it, {plan}",
        "update": f"change a field of {what} in the file, `mailform apply`, {plan}",
        "rename": f"rename {what} with `renamed_from`, `mailform apply`, {plan}",
        "password": f"rotate the password of {what} (`apply --rotate-password LOGIN`)",
        "delete": (
            f"drop {what} from a file that prunes its type (`mailform: {{prune: [{kind}]}}`), "
            f"`mailform apply`, {plan}"
        ),
    }.get(op, f"make this change to {what} with `mailform apply`, {plan}")


def type_assumption(
    object_type: ObjectType[Any],
    op: str,
    *,
    call: str,
    statement: str,
    evidence: str,
    check: Check | None = None,
) -> Assumption:
    """The row ``op`` (``list``, ``fields``, ``create``…) of an object type's table: checked
    by ``check`` when a read can show it, else by hand (``by_hand``)."""
    return Assumption(
        id=f"{object_type.service}.{object_type.name}.{op}",
        service=object_type.service,
        section=object_type.name,
        topic=op,
        call=call,
        statement=statement,
        evidence=evidence,
        check=check,
        manual="" if check else by_hand(object_type, op),
    )


def no_object_read(object_type: ObjectType[Any], observed: Observed) -> Finding:
    """Why no object of ``object_type`` was read one by one: its list failed, or it was
    empty."""
    failed = observed.failures.get(object_type.name)
    if failed:
        return not_seen(f"no object was read: listing failed ({failed})")
    return not_seen(f"the account has no {words(object_type)} to read")


def one_object(what: str, value: Any, fields: Iterable[str], key: str) -> Finding:
    """The finding about a read of one object (``value``, the envelope's ``key``): it is
    one object and it carries the ``fields`` the list's rows carry."""
    if not isinstance(value, dict):
        return contradicted(f"{what}: `{key}` is not one object")
    lacking = [name for name in fields if name not in value]
    if lacking:
        return contradicted(f"{what}: the object lacks {names(lacking)}")
    return confirmed(f"{what}: one object with the list's fields")


def plural(count: int, word: str) -> str:
    """``1 answer``, ``3 answers``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def names(fields: Iterable[str]) -> str:
    """Field names as the docs write them: ```a`, `b```."""
    return ", ".join(f"`{name}`" for name in fields)


def json_kind(value: Any) -> str:
    """The JSON type of a value, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def rows_of(exchanges: Sequence[Exchange], key: str) -> list[Any]:
    """Every row the answers carry under ``key`` of their envelope (an array, or one
    object)."""
    rows: list[Any] = []
    for exchange in exchanges:
        value = exchange.envelope.get(key)
        if isinstance(value, list):
            rows.extend(value)
        elif isinstance(value, dict):
            rows.append(value)
    return rows


#: Answer fields whose values are never shown, even with ``--show-values``.
SECRET_LIKE = re.compile(r"pass|secret|token|auth|signature|cookie|api_?key|credential", re.I)


def shown(name: str, value: Any) -> Any:
    """``value`` as ``--show-values`` may print it: masked when its name looks secret, and
    so is every secret-looking key of an object within it."""
    if SECRET_LIKE.search(name):
        return "***"
    if isinstance(value, dict):
        return {key: shown(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(name, item) for item in value]
    return value


def check_rows(
    object_type: ObjectType[Any],
    rows: Sequence[Any],
    objects: Sequence[LiveObject],
    expected: Sequence[str],
    *,
    unknown: bool = True,
) -> Finding:
    """Whether the answer ``rows`` of a type carry every ``expected`` field, and whether the
    values the type's own mapping made of them (``objects``) are values its model accepts
    (the same validators a plan uses); lists the fields mailform does not read, which are
    harmless, unless ``unknown`` is false (rows that also serve another type)."""
    dicts = [row for row in rows if isinstance(row, dict)]
    if not dicts:
        return not_seen(f"the account has no {words(object_type)} to look at")
    problems: list[str] = []
    unreadable: list[tuple[str, Any]] = []
    not_objects = len(rows) - len(dicts)
    if not_objects:
        problems.append(f"{plural(not_objects, 'row')} not a JSON object")
    for name in expected:
        lacking = sum(1 for row in dicts if name not in row)
        if lacking:
            problems.append(f"`{name}` missing from {lacking} of {plural(len(dicts), 'row')}")
    for obj in objects:
        for name, value in obj.fields.items():
            if name not in object_type.model.model_fields or value in (None, ""):
                continue  # "" is how both APIs say "none"
            try:
                field_adapter(object_type.model, name).validate_python(value)
            except ValidationError as error:
                problems.append(f"`{name}` not a value mailform reads ({_reason(error, value)})")
                unreadable.append((f"{obj.id} {name}", shown(name, value)))
    extra = sorted({name for row in dicts for name in row} - set(expected))
    first = ("first row", {name: shown(name, value) for name, value in dicts[0].items()})
    if problems:
        others = f"; the rows carry {names(extra)}" if extra else ""
        seen = "; ".join(dict.fromkeys(problems)) + others
        return contradicted(seen, *unreadable[:5], first)
    carry = "carries" if len(dicts) == 1 else "carry"
    unread = f"; fields mailform does not read (harmless): {names(extra)}"
    seen = f"{plural(len(dicts), 'row')} {carry} {names(expected)}"
    return confirmed(seen + (unread if extra and unknown else ""), first)


def _reason(error: ValidationError, value: Any) -> str:
    """Why the model refused a value, without quoting the value (its message may)."""
    detail = error.errors()[0]
    message = str(detail["msg"])
    quoted = [value, *(value if isinstance(value, list | tuple) else ())]
    if any(str(item) in message for item in quoted if str(item)):
        return str(detail["type"])
    return message


def status_words(exchange: Exchange, message_key: str) -> str:
    """``HTTP 404 ("Unknown API endpoint")``: an answer's status and the service's message."""
    message = exchange.envelope.get(message_key)
    return f"HTTP {exchange.status}" + (f' ("{message}")' if isinstance(message, str) else "")


@dataclass(frozen=True)
class Clock:
    """How far the server's clock (its ``Date`` headers) may be from this machine's before
    signed requests are at risk: ``margin`` seconds, well inside the ``tolerance`` the
    service is assumed to accept."""

    margin: float
    tolerance: float

    def check(self, observed: Observed) -> Finding:
        """Compare each answer's ``Date`` with the local clock when it arrived. A ``Date``
        has whole seconds (the server's time rounded down), so half a second is added."""
        skews = [
            server + 0.5 - exchange.received_at
            for exchange in observed.exchanges
            if (server := exchange.server_time) is not None
        ]
        if not skews:
            return not_seen("the answers carry no Date header")
        worst = max(skews, key=abs)
        amount = abs(worst)
        where = "ahead of" if worst > 0 else "behind"
        seen = (
            f"the server's clock is {amount:.0f} s {where} this machine's "
            f"({plural(len(skews), 'answer')} with a Date header)"
        )
        if amount > self.margin:
            advice = (
                f"; signed requests are refused beyond about {self.tolerance:.0f} s: set this "
                "machine's clock (NTP)"
            )
            return contradicted(seen + advice)
        return confirmed(seen)


def by_status(exchanges: Iterable[Exchange]) -> Mapping[int, int]:
    """How many answers had each status."""
    counts: dict[int, int] = {}
    for exchange in exchanges:
        counts[exchange.status] = counts.get(exchange.status, 0) + 1
    return counts


#: Answer headers that announce a rate limit (RFC 9331 drafts and the common X- forms).
RATE_LIMIT_HEADER = re.compile(r"^(x-)?rate-?limit", re.I)


def check_no_rate_limit_headers(observed: Observed) -> Finding:
    """Confirmed when no answer announces a rate limit in its headers (the client keeps to
    the documented limit on its own); contradicted, naming them, when some do."""
    if not observed.exchanges:
        return not_seen("no answer arrived")
    found = sorted(
        {name for e in observed.exchanges for name in e.headers if RATE_LIMIT_HEADER.match(name)}
    )
    if not found:
        return confirmed(f"none of {plural(len(observed.exchanges), 'answer')} has one")
    sample = next(e for e in observed.exchanges if any(n in e.headers for n in found))
    return contradicted(
        f"the answers carry {names(found)}: the server announces its limit, which mailform "
        "does not read yet (set --rate-limit to it)",
        *((name, sample.headers[name]) for name in found if name in sample.headers),
    )


#: How to see a 429 by hand, when none came during an examination.
RETRY_AFTER_BY_HAND = (
    "no answer was a 429; to see one, run `mailform plan` with `--rate-limit` above the "
    "documented limit on a large account and read the log (`-v`)"
)


def check_retry_after(observed: Observed) -> Finding:
    """Confirmed when every 429 answer said how long to wait (``Retry-After`` seconds);
    not checkable read-only when none came (a read cannot provoke one politely)."""
    limited = [e for e in observed.exchanges if e.status == 429]
    if not limited:
        return Finding(Status.NOT_CHECKABLE, RETRY_AFTER_BY_HAND)
    without = [e for e in limited if not e.headers.get("retry-after", "").strip().isdigit()]
    if without:
        return contradicted(
            f"{len(without)} of {plural(len(limited), '429 answer')} had no Retry-After "
            "seconds: the client then waits by its own backoff"
        )
    return confirmed(f"{plural(len(limited), '429 answer')}, each with Retry-After seconds")
