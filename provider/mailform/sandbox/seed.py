"""Seeding the sandbox from a stack file, so that it starts as an account that already exists.

The input is a stack file as described in ``docs/stack-files.md`` (top-level ``luxsci`` and
``lianamailer``, the latter seeded by :mod:`mailform.sandbox.lianamailer.seed`; ``mailform`` is
ignored), parsed here with ruamel.yaml, independently of
``mailform.stackfile``. Seeding differs from applying the file through the API:

- it bypasses the 24 h create limits and the per-domain alias cap (the objects were created
  long ago), and is not counted against them;
- it creates the dedicated servers listed under ``luxsci.servers`` (the API cannot);
- it ignores password references (``{env: NAME}``): seeded users get an unknown random
  password;
- it creates, as users, the owners of user-scope objects (``owner:``) that are not declared
  under ``users``, and the domains of users, aliases, DKIM and bounce domains that are not
  declared under ``domains``;
- it is an upsert: an object that exists (by its natural key) gets the declared fields, the
  others are left alone; so seeding twice is harmless.

References are checked: a template's ``group``, a list's ``group`` and ``custom_fields`` must
name objects of the same owner (or, for custom fields, of the account). A file that cannot be
seeded raises :class:`SeedError` naming the file, line and entry, and changes nothing; so does
one beyond the limits of :mod:`mailform.sandbox.limits` (nested more than ``MAX_DEPTH``
levels, an integer beyond 64 bits, an infinity, a lone surrogate). A value that looks like a date
(``2024-02-30``) is text, as it is to the CLI's stack-file reader.

Sandbox-only facts go under a top-level ``sandbox`` key, per service, and the DNS records
the account's owner published (``dns``: name → CNAME target, served by the sandbox's DNS)::

    sandbox:
      dns:
        bounce.example.com: bounces.luxsci.net
      luxsci:
        account_id: "18184"              # the account id clients must use
        admins: [admin@example.com]      # users with account administration rights
        teams:                           # Teams: a member's template list also shows the
          sales: [ann@example.com, bob@example.com]  # non-private templates of the others
        integrations:                    # more API integrations (the first, default one is
          - token: tok-marketing         #   configured by the sandbox itself)
            secret: s3cr3t
            scope: user                  # account | user
            enabled: true
            acl: ["User Email: Templates"]            # omitted: every access control
            create_limits: {domains: 5, aliases: 50, users: 5}
            host: rest.luxsci.com        # omitted: any host name
        users:                           # overlays luxsci.users entries with the same key
          - {user: marketing@example.com, password: known-password, admin: false}
        servers:
          - {host: rs999, server_id: 197890, mail_queue_trying: 3, mail_queue_unprocessed: 7}
        aliases:
          - {alias: all@example.com, type: catchall, dest: [inbox@example.com]}
        content_tags:
          - {owner: marketing@example.com, code_word: region, type: dynamic, rules: {...}}

Entries under ``sandbox.luxsci.<type>`` are merged into ``luxsci.<type>`` by natural key (or
added when the stack file does not declare them), and may carry the sandbox-only fields shown:
a user's literal ``password`` and ``admin`` flag, a server's ``server_id`` and queue sizes, an
alias's ``type`` (``regular``, ``catchall``, ``user_forward``, ``webaide_group``), a content
tag's ``type: dynamic`` and ``rules``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver

from mailform.sandbox.lianamailer.seed import seed_lianamailer
from mailform.sandbox.limits import (
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_SEED_VALUES,
    too_deep,
    value_problem,
)
from mailform.sandbox.luxsci.seed import seed_luxsci

SERVICES = ("luxsci", "lianamailer")
TOP_LEVEL_KEYS = frozenset({"mailform", "sandbox", *SERVICES})

log = logging.getLogger(__name__)


class SeedError(ValueError):
    """The file cannot be seeded; the message names the file, line and entry."""


class _SeedConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor without what a seed never means: a timestamp is its
    text (so that ``2024-02-30`` is not a date that fails to exist), and an integer of more
    digits than any 64-bit one is refused at its line (before Python converts thousands of
    digits, or refuses to)."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        digits = sum(character.isdigit() for character in str(node.value))
        if digits > len(str(MAX_INTEGER)):
            raise ConstructorError(
                None, None, f"an integer of {digits} digits is too large", node.start_mark
            )
        return super().construct_yaml_int(node)


_SeedConstructor.add_default_constructor("timestamp")
_SeedConstructor.add_default_constructor("int")


class _SeedResolver(VersionedResolver):
    """ruamel's resolver, which the composer tells where it is (``descend_resolver`` before
    each node, ``ascend_resolver`` after): counting there stops the composition at the first
    node nested too deep, before the parser (recursive, and slow at depth) goes further."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.depth = 0

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            mark = getattr(current_node, "start_mark", None)
            raise MarkedYAMLError(problem=too_deep(), problem_mark=mark)

    def ascend_resolver(self) -> None:
        self.depth -= 1


#: More flow collections opened in a row than the depth limit allows: refused before
#: parsing, since ruamel's pure-Python scanner looks ahead quadratically over such a run.
_FLOW_RUN = re.compile(rf"[\[{{](?:\s*[\[{{]){{{MAX_DEPTH}}}")


def read_seed(text: str, source: str) -> Mapping[str, Any]:
    """Parse stack-file YAML; keep ruamel's line information for error messages."""
    run = _FLOW_RUN.search(text)
    if run is not None:
        raise SeedError(f"{source}:{text.count(chr(10), 0, run.start()) + 1}: {too_deep()}")
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _SeedConstructor
    yaml.Resolver = _SeedResolver
    try:
        document = yaml.load(text)
    except YAMLError as error:
        raise SeedError(f"{source}: invalid YAML: {error}") from None
    except RecursionError:
        raise SeedError(f"{source}: {too_deep()}") from None
    except ValueError as error:  # a value ruamel builds and Python refuses
        raise SeedError(f"{source}: a value cannot be read: {error}") from None
    _check_limits(document, source)
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise SeedError(f"{source}: a stack file is a mapping of services (luxsci, lianamailer)")
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise SeedError(
            f"{source}: unknown top-level keys {', '.join(map(str, unknown))}; allowed: "
            f"{', '.join(sorted(TOP_LEVEL_KEYS))}"
        )
    return document


def _check_limits(document: Any, source: str) -> None:
    """Refuse nesting beyond the limit, more values than the limit and numbers the sandbox
    cannot store. An alias counts as every value it repeats, and nests as deep as the value
    it names; each distinct collection is measured once (post-order, no recursion), so that
    an alias bomb is measured in the time its text takes to read, and an alias inside the
    collection it names (an endless value) is refused as too deep."""
    measured: dict[int, tuple[int, int]] = {}  # id → (values, levels)
    open_collections: set[int] = set()
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        value, children_done = stack.pop()
        if not isinstance(value, Mapping | list):
            problem = value_problem(value)
            if problem is not None:
                raise SeedError(f"{source}: {problem}")
            continue
        for name in value if isinstance(value, Mapping) else ():
            problem = value_problem(name)
            if problem is not None:
                raise SeedError(f"{source}{_line(value)}: a key: {problem}")
        key = id(value)
        children = list(value.values() if isinstance(value, Mapping) else value)
        if children_done:
            open_collections.discard(key)
            inner = [measured.get(id(child), (1, 1)) for child in children]
            count = 1 + sum(values for values, _ in inner)
            levels = 1 + max((depth for _, depth in inner), default=0)
            if levels > MAX_DEPTH:
                raise SeedError(f"{source}{_line(value)}: {too_deep()}")
            if count > MAX_SEED_VALUES:
                raise SeedError(
                    f"{source}: the file holds more than {MAX_SEED_VALUES:,} values (an alias "
                    "counting as every value it repeats)"
                )
            measured[key] = (count, levels)
        elif key in open_collections:
            raise SeedError(f"{source}{_line(value)}: {too_deep()} (an alias inside itself)")
        elif key not in measured:
            open_collections.add(key)
            stack.append((value, True))
            stack.extend((child, False) for child in children)


def _line(node: Any) -> str:
    lc = getattr(node, "lc", None)
    return f":{lc.line + 1}" if lc is not None and lc.line is not None else ""


def seed_document(
    text: str, state: dict[str, Any], now: float, *, source: str = "<seed>"
) -> dict[str, int]:
    """Seed ``state`` (the sandbox document, changed in place) from stack-file ``text``.

    Returns how many entries of each type were seeded, e.g. ``{"luxsci.domains": 2}``.
    """
    document = read_seed(text, source)
    facts = document.get("sandbox") or {}
    if not isinstance(facts, Mapping):
        raise SeedError(f"{source}: sandbox must be a mapping of services")
    counts: dict[str, int] = {}
    records = facts.get("dns") or {}
    if not isinstance(records, Mapping) or not all(
        isinstance(name, str) and isinstance(target, str) for name, target in records.items()
    ):
        raise SeedError(f"{source}: sandbox.dns must map names to CNAME targets")
    if records:
        published = state.setdefault("dns", {})
        published.update(
            {name.lower(): target.lower().rstrip(".") for name, target in records.items()}
        )
        counts["dns"] = len(records)
    if document.get("luxsci") or facts.get("luxsci"):
        try:
            counts.update(
                seed_luxsci(
                    state["luxsci"],
                    document.get("luxsci") or {},
                    facts.get("luxsci") or {},
                    now,
                    source=source,
                )
            )
        except ValueError as error:
            raise SeedError(str(error)) from None
    if document.get("lianamailer"):
        try:
            counts.update(
                seed_lianamailer(state["lianamailer"], document["lianamailer"], source=source)
            )
        except ValueError as error:
            raise SeedError(str(error)) from None
    return counts
