"""Every mailform object type as a Pulumi dynamic resource, generically.

- ``provider``: the one ``ResourceProvider`` (check, diff, create, read, update, delete) over
  an ``ObjectType`` description, named by two plain strings so that the pickle Pulumi keeps
  in state is a tiny reference to installed code, never code or credentials.
- ``resources``: the resource classes (``Alias``, ``User``…), generated from the same
  descriptions; ``from mailform.luxsci import Alias`` gives them.
- ``program``: the YAML-driven program behind ``__main__.py``: one resource per object
  declared in ``stacks/<stack>.yaml``.
- ``properties``/``changes``: between Pulumi's property bags and the models (validation,
  normal forms, outputs) and the Pulumi diff, both reusing the engine's own rules.
- ``settings``/``connections``: credentials from stack config or the environment, and one
  shared client, rate limiter and short-lived list cache per plugin process.
- ``secrets``: a Pulumi secret where a model expects a ``{env: NAME}`` reference.
- ``stubs``: writes ``provider/<service>/__init__.pyi``, the classes' typed signatures.

How the Python dynamic provider behaves in pulumi 3.272, and why each choice here was made,
is in ``docs/pulumi.md``. Importing this package does not import pulumi; its modules do.
"""

from __future__ import annotations

from typing import Any

from mailform import extras


def publish(namespace: dict[str, Any], service: str) -> list[str]:
    """Put ``service``'s resource classes into ``namespace`` (the package users import them
    from, ``mailform.luxsci``) and answer their names, for its ``__all__``; an
    ``ImportError`` naming the install command when the ``pulumi`` extra is missing."""
    if not extras.installed("pulumi"):
        raise ImportError(extras.hint("pulumi", f"mailform.{service}"))
    from mailform.pulumi.resources import RESOURCES

    namespace.update(RESOURCES[service])
    return sorted(RESOURCES[service])
