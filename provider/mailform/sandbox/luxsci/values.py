"""Reading request values the tolerant way a real server does, and writing them its way.

Clients differ: ``date`` arrives as an int or a string, flags as ``true`` or ``1``, ``dest`` as
an array or a comma-separated string. Each reader accepts every reasonable spelling and raises
:class:`InvalidRequest` naming the field otherwise. Addresses and domains are lowercased, since
mail systems compare them case-insensitively.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from typing import Any

from mailform.sandbox.luxsci.errors import InvalidRequest

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+{_LABEL}$")
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_CODE_WORD = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def gmt(epoch: float) -> str:
    """Format Unix seconds as LuxSci's DATETIME, ``YYYY-MM-DD HH:MM:SS`` in GMT."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def parse_gmt(text: str, name: str) -> float:
    """Read a ``YYYY-MM-DD HH:MM:SS`` GMT DATETIME (or a ``YYYY-MM-DD`` DATE) query value."""
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return float(calendar.timegm(time.strptime(text, pattern)))
        except ValueError:
            continue
    raise InvalidRequest(f"Invalid {name}: expected 'YYYY-MM-DD HH:MM:SS' in GMT.")


def is_domain(name: str) -> bool:
    """True for a syntactically valid, lowercased domain name with at least two labels."""
    return len(name) <= 253 and _DOMAIN.match(name) is not None


def is_address(address: str) -> bool:
    """True for a lowercased ``local@domain`` email address."""
    local, at, domain = address.rpartition("@")
    return bool(at) and _LOCAL_PART.match(local) is not None and is_domain(domain)


def domain_of(address: str) -> str:
    """The domain part of an address."""
    return address.rpartition("@")[2]


def text(body: Mapping[str, Any], name: str, *, default: str | None = None) -> str:
    """A string field; numbers are accepted and turned into text. Missing: ``default``, or
    400 when there is none."""
    value = body.get(name)
    if value is None:
        if default is None:
            raise InvalidRequest(f"Missing required field: {name}.")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidRequest(f"Invalid {name}: expected a string.")
    return str(value)


def required_text(body: Mapping[str, Any], name: str) -> str:
    """A string field that must be present and not blank."""
    value = text(body, name).strip()
    if not value:
        raise InvalidRequest(f"Missing required field: {name}.")
    return value


def domain_name(value: str, name: str = "domain") -> str:
    """A domain name, lowercased; 400 when it is not a valid one."""
    domain = value.strip().lower().rstrip(".")
    if not is_domain(domain):
        raise InvalidRequest(f"Invalid {name}: '{value}' is not a valid domain name.")
    return domain


def address(value: str, name: str) -> str:
    """An email address, lowercased; 400 when it is not a valid one."""
    result = value.strip().lower()
    if not is_address(result):
        raise InvalidRequest(f"Invalid {name}: '{value}' is not a valid email address.")
    return result


def address_list(value: Any, name: str) -> list[str]:
    """A set of addresses given as an array or a comma-separated string; returned sorted and
    without duplicates, since the order has no meaning."""
    if isinstance(value, str):
        items: list[Any] = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise InvalidRequest(f"Invalid {name}: expected a list of email addresses.")
    result = set()
    for item in items:
        if not isinstance(item, str):
            raise InvalidRequest(f"Invalid {name}: expected a list of email addresses.")
        result.add(address(item, name))
    return sorted(result)


def flag(value: Any, name: str) -> bool:
    """A boolean given as ``true``/``false``, ``1``/``0`` or their string forms."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidRequest(f"Invalid {name}: expected true or false.")


def integer(
    value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number given as a JSON number or a numeric string, within the bounds."""
    if isinstance(value, bool):
        raise InvalidRequest(f"Invalid {name}: expected an integer.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise InvalidRequest(f"Invalid {name}: expected an integer.") from None
    if not isinstance(value, int):
        raise InvalidRequest(f"Invalid {name}: expected an integer.")
    if minimum is not None and value < minimum:
        raise InvalidRequest(f"Invalid {name}: must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise InvalidRequest(f"Invalid {name}: must be at most {maximum}.")
    return value


def number(value: Any, name: str) -> float:
    """A number given as a JSON number or a numeric string."""
    if isinstance(value, bool):
        raise InvalidRequest(f"Invalid {name}: expected a number.")
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise InvalidRequest(f"Invalid {name}: expected a number.") from None
    if not isinstance(value, int | float):
        raise InvalidRequest(f"Invalid {name}: expected a number.")
    return float(value)


def choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    """One of ``allowed`` (case-insensitive)."""
    if isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower()
    raise InvalidRequest(f"Invalid {name}: must be one of {', '.join(allowed)}.")


def code_word(value: Any, name: str = "code_word") -> str:
    """A code word: letters, digits, ``_``, ``.`` and ``-``, as used in paths."""
    if not isinstance(value, str) or not _CODE_WORD.match(value):
        raise InvalidRequest(f"Invalid {name}: use 1 to 64 letters, digits, '_', '.' or '-'.")
    return value


def given(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body without keys whose value is ``null``: a tolerant server reads an explicit null
    for an optional field as "not given"."""
    return {key: value for key, value in body.items() if value is not None}


def public(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as the API shows it: internal keys (starting with ``_``) left out."""
    return {key: value for key, value in record.items() if not key.startswith("_")}
