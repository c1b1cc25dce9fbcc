"""The LianaMailer service of the sandbox: its state section, credentials and settings.

The credentials clients must sign with come, in this order, from the ones the sandbox is
created with, from ``LIANAMAILER_REALM``, ``LIANAMAILER_USER_ID`` and
``LIANAMAILER_API_SECRET`` when set (so a developer's shell and the sandbox agree without a
copy step), from the state file, or are generated once and kept in the state, so that a
sandbox restarted on the same ``--state`` file keeps accepting the same client.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.lianamailer.model import new_state
from mailform.sandbox.lianamailer.signing import Credentials
from mailform.sandbox.store import StateStore

SECTION = "lianamailer"
ENVIRONMENT = {
    "realm": "LIANAMAILER_REALM",
    "user_id": "LIANAMAILER_USER_ID",
    "secret": "LIANAMAILER_API_SECRET",
}


@dataclass(frozen=True)
class LianaMailerSettings:
    """Server behaviour the reference leaves open: how far the ``Date`` header may be from the
    sandbox clock, in seconds (LianaAutomation documents 15 minutes)."""

    date_skew: float = 900.0


def _generated() -> dict[str, str]:
    return {
        "realm": "EUR",
        "user_id": str(1000 + secrets.randbelow(9000)),
        "secret": secrets.token_hex(16),
    }


class LianaMailerService:
    """The simulated LianaMailer API's state and configuration, shared by its HTTP routes."""

    name = SECTION

    def __init__(
        self,
        store: StateStore,
        clock: SandboxClock,
        settings: LianaMailerSettings | None = None,
        *,
        credentials: Credentials | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.LianaMailerService")
        self.store = store
        self.clock = clock
        self.settings = settings or LianaMailerSettings()
        environ = os.environ if environ is None else environ
        with store.change() as state:
            if not state.get(SECTION):
                state[SECTION] = new_state(_generated())
            stored: dict[str, Any] = state[SECTION]["credentials"]
            for field, variable in ENVIRONMENT.items():
                if environ.get(variable):
                    stored[field] = environ[variable]
            if credentials is not None:
                stored.update(asdict(credentials))

    @property
    def credentials(self) -> Credentials:
        """The realm, user id and secret clients must sign with."""
        with self.store.read() as state:
            return Credentials(**state[SECTION]["credentials"])

    def reset(self) -> None:
        """Empty the account; the credentials stay, so clients keep working."""
        with self.store.change() as state:
            state[SECTION] = new_state(state[SECTION]["credentials"])
        self.log.info("reset: account emptied")
