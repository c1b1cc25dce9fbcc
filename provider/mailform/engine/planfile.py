"""Saved plans: ``mailform plan FILE -o plan.json``, then ``mailform apply plan.json``.

A reviewer approves a plan; the apply must do exactly that plan or nothing. As with
``terraform apply PLANFILE``, the saved plan is a lock rather than a recipe: it holds the
JSON plan (``Plan.data()``, with its checksum) and what it was computed from (the stack
file's SHA-256, the accounts, the targets and rotations asked for, and a fingerprint of
each live object a change touches). Applying it plans again from the same inputs and
refuses, before anything is sent, when

- the stack file changed since (its hash differs),
- the accounts differ (another host or account id; the embedded sandbox is one account),
- a live object a change touches moved since (its fingerprint differs), or
- the fresh plan is not the saved one (checksum), for any other reason.

A saved plan holds no secret: sensitive values are masked in the plan, and passwords are
read again from the environment at apply time, as the stack file's ``{env: NAME}`` says.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mailform.engine.plan import Change, Plan, UnsafePlan
from mailform.stackfile.reading import read_regular_file

#: The key of a saved plan's provenance in the JSON document.
SAVED_KEY = "saved"


class StalePlan(UnsafePlan):
    """The saved plan no longer describes what an apply would do; ``reasons`` say why."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(
            "the saved plan is stale, nothing was applied:\n"
            + "\n".join(f"  {reason}" for reason in reasons)
            + "\nplan again (mailform plan FILE -o PLANFILE), review, and apply the new plan"
        )


class NotAPlanFile(ValueError):
    """The file is not a saved plan (the caller may then read it as a stack file)."""


@dataclass(frozen=True)
class SavedPlan:
    """What ``plan -o`` writes and ``apply PLANFILE`` checks."""

    checksum: str
    stack_path: str
    stack_sha256: str
    accounts: dict[str, str]
    targets: tuple[str, ...] = ()
    rotate: tuple[str, ...] = ()
    live: dict[str, str | None] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        plan: Plan,
        *,
        stack_path: str,
        stack_bytes: bytes,
        accounts: dict[str, str],
        targets: tuple[str, ...] = (),
        rotate: tuple[str, ...] = (),
    ) -> SavedPlan:
        """The saved form of ``plan``, computed from the stack file ``stack_bytes``."""
        return cls(
            checksum=plan.checksum(),
            stack_path=stack_path,
            stack_sha256=hashlib.sha256(stack_bytes).hexdigest(),
            accounts=dict(accounts),
            targets=tuple(targets),
            rotate=tuple(rotate),
            live=fingerprints(plan),
            document=plan.data(),
        )

    def to_json(self) -> str:
        """The JSON plan with the provenance under ``saved``."""
        saved = {
            "stack": {"path": self.stack_path, "sha256": self.stack_sha256},
            "accounts": self.accounts,
            "targets": list(self.targets),
            "rotate": list(self.rotate),
            "live": self.live,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return json.dumps({**self.document, SAVED_KEY: saved}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def load(cls, path: Path) -> SavedPlan:
        """Read a saved plan; raises ``NotAPlanFile`` when ``path`` holds something else
        (a stack file, text that is not UTF-8), ``ValueError`` naming what is wrong when it
        is a damaged one, and ``UnreadableFile`` (an ``OSError``) when it is not a regular
        file or too large to be either (read without blocking, and never past the limit)."""
        try:
            data = json.loads(read_regular_file(path).decode("utf-8"))
        except ValueError:  # UnicodeDecodeError too
            raise NotAPlanFile(str(path)) from None
        if not isinstance(data, dict) or SAVED_KEY not in data:
            raise NotAPlanFile(str(path))
        try:
            saved = data[SAVED_KEY]
            return cls(
                checksum=str(data["checksum"]),
                stack_path=str(saved["stack"]["path"]),
                stack_sha256=str(saved["stack"]["sha256"]),
                accounts={str(k): str(v) for k, v in saved["accounts"].items()},
                targets=tuple(str(t) for t in saved.get("targets", ())),
                rotate=tuple(str(r) for r in saved.get("rotate", ())),
                live={str(k): (None if v is None else str(v)) for k, v in saved["live"].items()},
                document={k: v for k, v in data.items() if k != SAVED_KEY},
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}: not a complete saved plan (missing {error})") from None

    def check_stack(self, stack_bytes: bytes) -> None:
        """Refuse when the stack file changed since the plan was saved."""
        digest = hashlib.sha256(stack_bytes).hexdigest()
        if digest != self.stack_sha256:
            raise StalePlan([f"the stack file {self.stack_path} changed since the plan was saved"])

    def check_fresh(self, fresh: Plan, accounts: dict[str, str]) -> None:
        """Refuse unless ``fresh`` (planned again from the same inputs, against
        ``accounts``) is the saved plan."""
        reasons = [
            f"{service}: the plan was made for {self.accounts[service]}, this is {current}"
            for service, current in sorted(accounts.items())
            if service in self.accounts and self.accounts[service] != current
        ]
        now = fingerprints(fresh)
        for change_id, fingerprint in sorted(self.live.items()):
            if change_id not in now:
                reasons.append(f"{change_id}: no longer changed by the plan")
            elif now[change_id] != fingerprint:
                reasons.append(f"{change_id}: changed in the account since the plan was saved")
        reasons += [
            f"{change_id}: a new change since the plan was saved"
            for change_id in sorted(now.keys() - self.live.keys())
        ]
        if not reasons and fresh.checksum() != self.checksum:
            reasons.append(f"the plan's checksum is now {fresh.checksum()}, not {self.checksum}")
        if reasons:
            raise StalePlan(reasons)


def fingerprints(plan: Plan) -> dict[str, str | None]:
    """Each change's id with a digest of the live object it touches (None for a create)."""
    return {str(change.id): _fingerprint(change) for change in plan.changes}


def _fingerprint(change: Change) -> str | None:
    if change.live is None:
        return None
    payload = json.dumps(change.live.fields, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
