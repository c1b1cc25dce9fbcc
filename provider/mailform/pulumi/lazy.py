"""A service package's Pulumi resource classes, imported on first use (PEP 562).

``from mailform.lianamailer import Site`` must work, yet importing ``mailform.lianamailer``
(as the CLI does, for the client and the object types) must not import pulumi. Each service
package therefore takes its ``__getattr__`` and ``__dir__`` from here; the class names are
the titles of the service's object types, so a new type needs no edit here either.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from mailform import extras


def resource_titles(service: str) -> tuple[str, ...]:
    """The resource class names of ``service``: its object types' titles."""
    from mailform.services import SERVICES

    return tuple(object_type.title for object_type in SERVICES[service].object_types)


def lazy_resources(
    package: str, service: str
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a service package."""

    def __getattr__(name: str) -> Any:
        # Resource classes are capitalised; anything else (a submodule being imported
        # with ``from package import name``) is not looked up, so that no import cycle
        # through the service description can start here.
        if name[:1].isupper() and name in resource_titles(service):
            if not extras.installed("pulumi"):
                raise ImportError(extras.hint("pulumi", f"{package}.{name}"))
            from mailform.pulumi.resources import RESOURCES

            return RESOURCES[service][name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *resource_titles(service)})

    return __getattr__, __dir__
