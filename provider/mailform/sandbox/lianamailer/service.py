"""The LianaMailer service of the sandbox: its state section, credentials and settings.

The credentials clients must sign with are the ones the sandbox is created with, or else
the ones kept in the state file, generated once, so that a sandbox restarted on the same
``--state`` file keeps accepting the same client. They are never read from the environment:
``LIANAMAILER_API_SECRET`` in a developer's shell may be a real account's, and the sandbox's
state is a file anyone may read, paste or commit.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.lianamailer.model import SECTION, new_state
from mailform.sandbox.lianamailer.signing import Credentials
from mailform.sandbox.store import StateStore

#: The shape of the secret the sandbox generates.
_GENERATED_SECRET = re.compile(r"[0-9a-f]{32}")

log = logging.getLogger(__name__)


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


def replace_adopted_credentials(data: dict[str, Any]) -> bool:
    """Give the section ``data`` new generated credentials when its secret is not one the
    sandbox generated, and say whether it did.

    Sandboxes before the control token copied ``LIANAMAILER_REALM``, ``LIANAMAILER_USER_ID``
    and ``LIANAMAILER_API_SECRET`` from the shell into their state: possibly a real
    account's. The sandbox calls this once, when it first opens such a state.
    """
    stored = data.get("credentials") or {}
    if _GENERATED_SECRET.fullmatch(str(stored.get("secret", ""))):
        return False
    data["credentials"] = _generated()
    log.warning(
        "replace_adopted_credentials: the LianaMailer credentials kept in the state were not "
        "made by the sandbox (an earlier mailform copied them from the environment); replaced"
    )
    return True


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
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.LianaMailerService")
        self.store = store
        self.clock = clock
        self.settings = settings or LianaMailerSettings()
        with store.change() as state:
            if not state.get(SECTION):
                state[SECTION] = new_state(_generated())
            if credentials is not None:
                state[SECTION]["credentials"].update(asdict(credentials))

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
