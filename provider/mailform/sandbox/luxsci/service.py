"""The LuxSci service of the sandbox: its section of the state, its credentials, its settings.

This is what the sandbox server composes: it owns the ``luxsci`` section of the
:class:`~mailform.sandbox.store.StateStore`, makes sure there is an integration to call the API
with (credentials given by the sandbox's owner, or generated once and kept in the state; never
read from the environment, where a real account's would be), and offers the actions the
control endpoints need (reset, expire every auth).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.luxsci.account import DEFAULT_CREATE_LIMITS, new_state, upgrade
from mailform.sandbox.luxsci.auth import Gatekeeper, Integration
from mailform.sandbox.store import StateStore

SECTION = "luxsci"

#: The shape of the token and secret the sandbox generates for its default integration.
_GENERATED_TOKEN = re.compile(r"sbx[0-9a-f]{24}")
_GENERATED_SECRET = re.compile(r"[0-9a-f]{64}")

log = logging.getLogger(__name__)


def _generated_integration() -> Integration:
    return Integration(token=f"sbx{secrets.token_hex(12)}", secret=secrets.token_hex(32))


def replace_adopted_credentials(data: dict[str, Any]) -> bool:
    """Give the default integration of the section ``data`` new generated credentials when
    its token or secret is not one the sandbox generated, and say whether it did.

    Sandboxes before the control token copied ``LUXSCI_API_TOKEN`` and ``LUXSCI_API_SECRET``
    from the shell into their state: possibly a real account's. The sandbox calls this once,
    when it first opens such a state.
    """
    integrations = data.get("integrations") or []
    if not integrations:
        return False
    default = integrations[0]
    token, secret = str(default.get("token", "")), str(default.get("secret", ""))
    if _GENERATED_TOKEN.fullmatch(token) and _GENERATED_SECRET.fullmatch(secret):
        return False
    fresh = _generated_integration()
    default["token"], default["secret"] = fresh.token, fresh.secret
    log.warning(
        "replace_adopted_credentials: the LuxSci credentials kept in the state were not made "
        "by the sandbox (an earlier mailform copied them from the environment); replaced"
    )
    return True


@dataclass(frozen=True)
class LuxSciCredentials:
    """What a client needs to call the sandbox (``LUXSCI_API_TOKEN``, ``LUXSCI_API_SECRET``,
    ``LUXSCI_ACCOUNT_ID``)."""

    token: str
    secret: str
    account_id: str

    def __repr__(self) -> str:
        return (
            f"LuxSciCredentials(token={self.token!r}, secret='***', account_id={self.account_id!r})"
        )


@dataclass(frozen=True)
class LuxSciSettings:
    """Server behaviour the reference leaves open: how long an auth code lives and how far a
    signed ``date`` may be from the sandbox clock (both in seconds)."""

    auth_lifetime: float = 3600.0
    date_skew: float = 300.0


class LuxSciService:
    """The simulated LuxSci API's state and configuration, shared by its HTTP routes."""

    name = SECTION

    def __init__(
        self, store: StateStore, clock: SandboxClock, settings: LuxSciSettings | None = None
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.LuxSciService")
        self.store = store
        self.clock = clock
        self.settings = settings or LuxSciSettings()
        with store.change() as state:
            if SECTION not in state:
                state[SECTION] = new_state(str(10000 + secrets.randbelow(90000)))
            upgrade(state[SECTION])

    def gatekeeper(self, data: dict[str, Any], now: float) -> Gatekeeper:
        """The auth checks over ``data`` (the live section) at time ``now``."""
        return Gatekeeper(
            data, now, lifetime=self.settings.auth_lifetime, skew=self.settings.date_skew
        )

    def configure(
        self,
        *,
        token: str | None = None,
        secret: str | None = None,
        account_id: str | None = None,
        create_limits: Mapping[str, int] | None = None,
    ) -> LuxSciCredentials:
        """Make sure the default integration exists, apply what is given, return its
        credentials. What is not given keeps its stored value, or is generated once."""
        with self.store.change() as state:
            data = state[SECTION]
            if account_id is not None:
                data["account_id"] = str(account_id)
            if not data["integrations"]:
                data["integrations"].append(_generated_integration().to_json())
            default = Integration.from_json(data["integrations"][0])
            if token is not None:
                default.token = token
            if secret is not None:
                default.secret = secret
            if create_limits is not None:
                default.create_limits = {**DEFAULT_CREATE_LIMITS, **create_limits}
            data["integrations"][0] = default.to_json()
            return LuxSciCredentials(default.token, default.secret, data["account_id"])

    @property
    def credentials(self) -> LuxSciCredentials:
        """The default integration's credentials (creating it if needed)."""
        return self.configure()

    def reset(self) -> None:
        """Empty the account: objects, sessions, create history and id sequences go; the
        account id and the default integration stay, so clients keep their credentials."""
        with self.store.change() as state:
            old = state[SECTION]
            fresh = new_state(old["account_id"])
            fresh["integrations"] = old["integrations"][:1]
            state[SECTION] = fresh
        self.log.info("reset: account emptied")

    def expire_all_sessions(self) -> None:
        """Expire every auth code issued so far (the auth-expiry fault)."""
        with self.store.change() as state:
            self.gatekeeper(state[SECTION], self.clock.now()).expire_all()
        self.log.info("expire_all_sessions: every auth code expired")
