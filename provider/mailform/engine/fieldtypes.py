"""Field types that normalise on input, so the same value never diffs as a change.

Following DNSControl's rule ("normalize on input"): domain names and email addresses are
compared without case, sets of addresses without order. The same types normalise live
values (``ObjectType.normalise_live``), so both sides of a diff are in one form.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


@lru_cache(maxsize=16384)
def _domain_name(value: str) -> str:
    """The normal form of a domain name (cached: a large file names each domain in every
    one of its addresses; a refused name raises, which is not cached)."""
    name = value.strip().rstrip(".").lower()
    if not _DOMAIN.match(name):
        raise ValueError(f"{value!r} is not a domain name (like example.com)")
    return name


def _address(value: str) -> str:
    address = value.strip()
    if not _ADDRESS.match(address):
        raise ValueError(f"{value!r} is not an email address (like name@example.com)")
    local, _, domain = address.rpartition("@")
    return f"{local.lower()}@{_domain_name(domain)}"


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    return value


def _sorted_unique(values: list[str]) -> list[str]:
    return sorted(set(values))


#: A domain name, lowercased, without a trailing dot.
DomainName = Annotated[str, AfterValidator(_domain_name)]

#: An email address, lowercased.
EmailAddress = Annotated[str, AfterValidator(_address)]

#: A set of email addresses: order and duplicates carry no meaning. Accepts a YAML list or a
#: comma-separated string (one address, or several), and the published schema says so.
AddressSet = Annotated[
    list[EmailAddress],
    BeforeValidator(_split_commas, json_schema_input_type=list[str] | str),
    AfterValidator(_sorted_unique),
]

#: A set of domain names: order and duplicates carry no meaning.
DomainSet = Annotated[
    list[DomainName],
    BeforeValidator(_split_commas, json_schema_input_type=list[str] | str),
    AfterValidator(_sorted_unique),
]

#: A set of names (code words): order and duplicates carry no meaning.
NameSet = Annotated[
    list[str],
    BeforeValidator(_split_commas, json_schema_input_type=list[str] | str),
    AfterValidator(_sorted_unique),
]


def domain_of(address: str) -> str:
    """The domain part of an email address."""
    return address.rpartition("@")[2]


def renamed_from(keeps: str) -> Any:
    """The ``renamed_from`` field of a type the API can rename: the object's previous key,
    renamed in place (keeping ``keeps``) rather than created anew. ``ObjectType.rename_field``
    names it; it is an instruction, never compared or read back."""
    return Field(
        default=None,
        description=f"Its previous name (login, for a user): rename that object in place "
        f"(keeping {keeps}) rather than create a new one. Remove it once applied.",
    )
