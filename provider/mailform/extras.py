"""Optional parts of mailform and the packages they need.

A team that only runs the ``mailform`` CLI against its accounts should not have to install
Pulumi's gRPC stack or a web server. The distribution therefore declares two extras:

- ``sandbox`` (starlette, uvicorn): the local API simulator, ``mailform sandbox`` and
  ``--sandbox``;
- ``pulumi`` (pulumi): the resource classes (``from mailform.luxsci import Alias``) and the
  Pulumi program.

``pip install 'mailform[dev]'`` (what ``.ci/run`` and a checkout use) pulls in both. A
surface whose extra is missing fails with one sentence that names the install command,
never with a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib.util

from mailform.errors import ConfigurationError

#: The modules each extra brings, by extra name.
EXTRAS: dict[str, tuple[str, ...]] = {
    "sandbox": ("starlette", "uvicorn"),
    "pulumi": ("pulumi",),
}


def installed(extra: str) -> bool:
    """Whether every module of ``extra`` can be imported."""
    return all(importlib.util.find_spec(module) is not None for module in EXTRAS[extra])


def hint(extra: str, purpose: str) -> str:
    """The sentence that says how to get ``extra``, for ``purpose``."""
    return (
        f"{purpose} needs mailform's '{extra}' extra: pip install 'mailform[{extra}]' "
        f"(missing: {', '.join(m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None)})"
    )


def require(extra: str, purpose: str) -> None:
    """Raise a ``ConfigurationError`` naming the install command when ``extra`` is missing."""
    if not installed(extra):
        raise ConfigurationError(hint(extra, purpose))
