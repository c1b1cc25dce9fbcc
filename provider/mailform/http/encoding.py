"""The exact bytes a signed request carries: its query string and its JSON body.

APIs that sign a request sign what is on the wire, so a client builds the query string and
serialises the body once, itself, and sends and signs those same bytes, rather than letting
the HTTP library choose an encoding after the signature was computed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote


def encode_query(params: Mapping[str, Any] | None, *, safe: str = "") -> str:
    """``key=value`` pairs joined with ``&``, in the given order, each percent-encoded.

    ``None`` values are left out and booleans are written ``1``/``0``. ``safe`` names the
    characters left as they are (``":"`` keeps ISO 8601 times readable, as some APIs' own
    examples send them).
    """
    if not params:
        return ""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        text = str(int(value)) if isinstance(value, bool) else str(value)
        pairs.append(f"{quote(str(key), safe=safe)}={quote(text, safe=safe)}")
    return "&".join(pairs)


def encode_json(payload: Any) -> bytes:
    """The JSON text of ``payload`` as sent and hashed: compact separators, UTF-8, non-ASCII
    characters written as themselves."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
