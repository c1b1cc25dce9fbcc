"""LianaMailer: the API client and one module per object type mailform manages."""

from __future__ import annotations

from typing import Any

#: The Pulumi resource classes this package offers (``from provider.lianamailer import Site``).
RESOURCE_NAMES = ("Site", "Property", "MailingList", "ConsentType")


def __getattr__(name: str) -> Any:
    """The Pulumi resource classes, imported on first use (PEP 562), so that importing the
    client or the object types (as the CLI does) never imports pulumi."""
    if name in RESOURCE_NAMES:
        from provider.pulumi.resources import RESOURCES

        return RESOURCES["lianamailer"][name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *RESOURCE_NAMES])
