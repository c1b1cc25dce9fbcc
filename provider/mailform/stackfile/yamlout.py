"""Write stack files: block-style YAML that reads like a hand-written one."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

HEADER = (
    "# Written by `mailform export` from the live account.\n"
    "# Secrets (passwords) are write-only and cannot be exported: add {env: NAME} references\n"
    "# for users you want mailform to be able to create again.\n"
)


def dump_yaml(document: Any, *, header: str = HEADER) -> str:
    """``document`` as YAML text, keys in the order given, with ``header`` on top."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    # ruamel declares this attribute as None ("sort", its default); False keeps key order.
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    stream = io.StringIO()
    yaml.dump(document, stream)
    return header + stream.getvalue()
