"""The sandbox state as people read it: YAML or JSON, with its secrets masked.

``mailform sandbox dump`` prints the state this way. The state holds what a real account
would never show: the integrations' API secrets, LianaMailer's API secret, the users' password
hashes, the control token. They are replaced by :data:`MASK` unless the caller asks for them,
so that a dump can be pasted into a bug report. Masking goes by key name
(:data:`SECRET_KEYS`), wherever the key is; the value under it is replaced whole.

What people read is :func:`public_state`, which is also what ``GET /_sandbox/state`` answers:
the state as the store keeps it, except that LianaMailer's properties, lists and consent
types are lists in id order, as the API lists them, rather than the mappings by id the store
keeps so that a change of one object writes one row. The store's shape is how it saves work;
the lists are what readers and tests have always been given, and what the API shows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML

from mailform.sandbox.lianamailer.model import SECTION as LIANAMAILER
from mailform.sandbox.lianamailer.model import public_section

#: Keys whose values are secrets: an integration's or a service's API secret, the salted
#: hash the sandbox keeps instead of a user's password, and the control endpoints' token.
SECRET_KEYS = frozenset({"secret", "_password", "control_token"})
MASK = "********"
FORMATS = ("yaml", "json")


def public_state(document: Mapping[str, Any]) -> dict[str, Any]:
    """The state ``document`` (as the store keeps it, e.g. a ``snapshot()``) in the shape
    people read; it shares values with ``document``, so it is for showing, not changing."""
    shown = dict(document)
    if isinstance(shown.get(LIANAMAILER), Mapping):
        shown[LIANAMAILER] = public_section(shown[LIANAMAILER])
    return shown


def masked(value: Any) -> Any:
    """A copy of the JSON ``value`` with the values of :data:`SECRET_KEYS` replaced."""
    if isinstance(value, Mapping):
        return {key: MASK if key in SECRET_KEYS else masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def render(document: Mapping[str, Any], output_format: str, *, show_secrets: bool = False) -> str:
    """The state ``document`` as YAML or JSON text (ending with a newline), in the shape of
    :func:`public_state`; secrets masked unless ``show_secrets``."""
    if output_format not in FORMATS:
        raise ValueError(f"unknown format {output_format!r}; expected one of {FORMATS}")
    public = public_state(document)
    shown = public if show_secrets else masked(public)
    if output_format == "json":
        return json.dumps(shown, indent=2, ensure_ascii=False) + "\n"
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(shown, stream)
    return stream.getvalue()
