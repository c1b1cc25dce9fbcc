"""The Pulumi engine's side of the dynamic-provider protocol, for tests without the CLI.

``ProviderProcess`` starts the SDK's plugin exactly as the engine does
(``python -u -m pulumi.dynamic <engine address>``, the project's venv, ``PULUMI_PROJECT``
set, the program directory as cwd), reads the port from its first line of output and opens
a gRPC channel. Everything on the provider's side is therefore real: the servicer, the
dill pickle, the wire (floats, dropped ``None``), four serving threads.

``MiniEngine`` plays the engine, following its rules as read in the Pulumi SDK and engine sources:

- ``Configure`` with the whole namespaced stack config (secrets wrapped); the plugin answers
  ``acceptSecrets=false``, so from then on secrets are **stripped** from every request and,
  after ``Check``/``Create``/``Update``/``Read``, re-marked on outputs whose same-named
  input was secret (``annotateSecrets``), plus ``additional_secret_outputs``;
- ``up``: ``Check`` (olds = old inputs), then ``Diff`` (olds = old **outputs**) for a
  resource in state; ``DIFF_UNKNOWN`` falls back to comparing old and new inputs;
  ``Create``/``Update`` are skipped in a preview (the plugin does not support preview);
  a replacement runs ``Check(olds={})`` again, then delete-then-create when the provider
  asks for ``deleteBeforeReplace``, create-then-delete otherwise;
- ``refresh``: ``Read(properties=old outputs, inputs=old inputs)``; an empty id means
  deleted; otherwise the new outputs, the returned ``inputs`` (or the old ones), and the
  inverted ``Diff(olds=new outputs, news=old inputs)`` as the drift shown;
- ``destroy``: ``Delete(properties=old outputs)``.

What it does not model (the checkpoint format, secret encryption, protect, ignoreChanges,
aliases, parallel steps beyond a lock) is listed in ``docs/pulumi.md``.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = rpc.UNKNOWN
PROVIDER_KEY = "__provider"


# -- values as the engine holds them ------------------------------------------------------


def secret(value: Any) -> dict[str, Any]:
    """A secret value as it travels when secrets are kept (and as state records it)."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    """Whether ``value`` is a wrapped secret."""
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def contains_secret(value: Any) -> bool:
    """Whether ``value`` is or holds a wrapped secret."""
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secret(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_secret(item) for item in value)
    return False


def strip_secrets(value: Any) -> Any:
    """``value`` as sent to a plugin that does not accept secrets: plain values."""
    if is_secret(value):
        return strip_secrets(value["value"])
    if isinstance(value, dict):
        return {key: strip_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_secrets(item) for item in value]
    return value


def annotate_secrets(outs: Mapping[str, Any], ins: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's ``annotateSecrets``: an output whose same-named input held a secret is
    secret (objects recursively, arrays wholesale)."""
    result = dict(outs)
    for key, value in outs.items():
        given = ins.get(key)
        if is_secret(given) or (isinstance(given, list) and contains_secret(given)):
            result[key] = value if is_secret(value) else secret(value)
        elif isinstance(given, dict) and isinstance(value, dict) and contains_secret(given):
            result[key] = annotate_secrets(value, given)
    return result


def mark_secret(outs: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``additional_secret_outputs``: these outputs are secret, whatever the inputs."""
    result = dict(outs)
    for name in names:
        if name in result and not is_secret(result[name]):
            result[name] = secret(result[name])
    return result


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """A property bag as a protobuf ``Struct`` (numbers become floats on the way)."""
    struct = struct_pb2.Struct()
    struct.update({key: value for key, value in props.items() if value is not None})
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A ``Struct`` as a property bag; null properties are absent."""
    data = json_format.MessageToDict(struct)
    return {key: value for key, value in data.items() if value is not None}


def plain_strings(value: Any) -> list[str]:
    """Every string in ``value`` outside a secret wrapper: what state would show in clear."""
    if is_secret(value):
        return []
    if isinstance(value, dict):
        return [text for item in value.values() for text in plain_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in plain_strings(item)]
    return [value] if isinstance(value, str) else []


# -- the plugin process -------------------------------------------------------------------


class ProviderProcess:
    """``python -u -m pulumi.dynamic`` started as the engine starts it; a context manager."""

    def __init__(
        self,
        cwd: str | Path,
        *,
        project: str = "mailform",
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
    ) -> None:
        self.cwd = Path(cwd)
        self.project = project
        self.env = dict(os.environ if env is None else env)
        self.python = python
        self._stderr: list[str] = []
        self._process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self.stub: provider_pb2_grpc.ResourceProviderStub | None = None

    def start(self) -> ProviderProcess:
        """Start the plugin and connect to it."""
        env = {**self.env, "PULUMI_PROJECT": self.project}
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.dynamic", "127.0.0.1:1"],
            cwd=self.cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        threading.Thread(target=self._drain, args=(self._process.stderr,), daemon=True).start()
        line = self._process.stdout.readline().decode().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"the plugin did not report a port: {line!r}\n{self.stderr}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(self.channel).result(timeout=10)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        return self

    def _drain(self, stream: Any) -> None:
        for raw in iter(stream.readline, b""):
            self._stderr.append(raw.decode(errors="replace"))

    @property
    def stderr(self) -> str:
        """Everything the plugin wrote to stderr (its logs) so far."""
        return "".join(self._stderr)

    def stop(self) -> None:
        """Close the channel and end the plugin."""
        if self.channel is not None:
            self.channel.close()
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self.channel = self.stub = self._process = None

    def __enter__(self) -> ProviderProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# -- the engine ---------------------------------------------------------------------------


class EngineError(Exception):
    """A provider call failed; ``details`` is what the CLI would show (the traceback)."""

    def __init__(self, method: str, error: grpc.RpcError) -> None:
        self.method = method
        self.code = error.code()
        self.details = error.details() or ""
        super().__init__(f"{method} failed ({self.code.name}): {self.details}")


class CheckFailed(Exception):
    """``Check`` reported failures: ``[(property, reason)]``."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in failures))


@dataclass
class ResourceState:
    """One resource as state keeps it (secrets wrapped)."""

    urn: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    additional_secret_outputs: tuple[str, ...] = ()


@dataclass
class Step:
    """What one engine operation did: ``create``, ``same``, ``update``, ``replace``,
    ``delete``, ``deleted`` (refresh found it gone), ``read``."""

    op: str
    urn: str
    replaces: tuple[str, ...] = ()
    delete_before_replace: bool = False
    order: tuple[str, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)


_DEPLOYMENTS = itertools.count(1)


def _within(deployment: str, news: Mapping[str, Any]) -> Mapping[str, Any]:
    identity = news.get("__name")
    if not isinstance(identity, str):
        return news
    return {**news, "__name": f"{deployment}/{identity.partition('/')[2]}"}


class MiniEngine:
    """The engine's side of the conversation with one plugin; state in memory."""

    def __init__(
        self,
        stub: provider_pb2_grpc.ResourceProviderStub,
        *,
        project: str = "mailform",
        stack: str = "test",
    ) -> None:
        self.stub = stub
        self.project = project
        self.stack = stack
        self.state: dict[str, ResourceState] = {}
        self.accept_secrets = True
        self.calls: list[str] = []
        self.deployment = f"deployment-{next(_DEPLOYMENTS)}"
        self._lock = threading.RLock()

    # -- plumbing -------------------------------------------------------------------------

    def urn(self, type_token: str, name: str) -> str:
        """The URN of a resource of this stack."""
        return f"urn:pulumi:{self.stack}::{self.project}::{type_token}::{name}"

    def _send(self, props: Mapping[str, Any]) -> struct_pb2.Struct:
        return to_struct(props if self.accept_secrets else strip_secrets(props))

    def _call(self, method: str, request: Any) -> Any:
        self.calls.append(method)
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as error:
            raise EngineError(method, error) from None

    def configure(self, config: Mapping[str, Any]) -> provider_pb2.ConfigureResponse:
        """Send the whole stack config (secret values wrapped with ``secret``)."""
        variables = {
            key.replace(":", ":config:", 1): str(strip_secrets(value))
            for key, value in config.items()
        }
        response = self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                variables=variables, args=to_struct(config), acceptSecrets=True
            ),
        )
        self.accept_secrets = response.acceptSecrets
        return response

    # -- the provider calls, engine-style -------------------------------------------------

    def check(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """``Check``; raises ``CheckFailed``; answers the checked inputs, secrets re-marked.

        The real engine starts a plugin process per deployment, and the provider keeps what
        one deployment declares in its process, by stack. These tests share one plugin, so
        each engine names its resources within a stack of its own (``__name``), as if it
        had its own process."""
        news = _within(self.deployment, news)
        response = self._call(
            "Check",
            provider_pb2.CheckRequest(urn=urn, olds=self._send(olds), news=self._send(news)),
        )
        if response.failures:
            raise CheckFailed([(f.property, f.reason) for f in response.failures])
        return annotate_secrets(from_struct(response.inputs), news)

    def diff(
        self,
        urn: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any],
    ) -> provider_pb2.DiffResponse:
        """``Diff`` of new inputs against old outputs."""
        return self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=urn,
                olds=self._send(olds),
                news=self._send(news),
                old_inputs=self._send(old_inputs),
            ),
        )

    def _create(
        self, urn: str, inputs: Mapping[str, Any], secret_outputs: Iterable[str]
    ) -> tuple[str, dict[str, Any]]:
        response = self._call(
            "Create", provider_pb2.CreateRequest(urn=urn, properties=self._send(inputs))
        )
        if not response.id:
            raise AssertionError("plugin returned empty resource.ID from create")
        outs = annotate_secrets(from_struct(response.properties), inputs)
        return response.id, mark_secret(outs, secret_outputs)

    def _update(self, old: ResourceState, inputs: Mapping[str, Any]) -> dict[str, Any]:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=old.id,
                urn=old.urn,
                olds=self._send(old.outputs),
                news=self._send(inputs),
                old_inputs=self._send(old.inputs),
            ),
        )
        outs = annotate_secrets(from_struct(response.properties), inputs)
        return mark_secret(outs, old.additional_secret_outputs)

    def _delete(self, old: ResourceState) -> None:
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(
                id=old.id,
                urn=old.urn,
                properties=self._send(_within(self.deployment, old.outputs)),
                old_inputs=self._send(old.inputs),
            ),
        )

    # -- operations -----------------------------------------------------------------------

    def up(
        self,
        type_token: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        preview: bool = False,
        additional_secret_outputs: Iterable[str] = (),
    ) -> Step:
        """Register one resource as ``pulumi up`` (or ``preview``) would."""
        with self._lock:
            urn = self.urn(type_token, name)
            secret_outputs = tuple(additional_secret_outputs)
            old = self.state.get(urn)
            checked = self.check(urn, old.inputs if old else {}, inputs)
            if old is None:
                if preview:
                    return Step("create", urn, outputs=checked, inputs=checked)
                id_, outs = self._create(urn, checked, secret_outputs)
                self.state[urn] = ResourceState(urn, type_token, id_, checked, outs, secret_outputs)
                return Step("create", urn, outputs=outs, inputs=checked)
            response = self.diff(urn, old.id, old.outputs, checked, old.inputs)
            changes = response.changes
            if changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
                same = strip_secrets(old.inputs) == strip_secrets(checked)
                changes = (
                    provider_pb2.DiffResponse.DIFF_NONE
                    if same
                    else provider_pb2.DiffResponse.DIFF_SOME
                )
            replaces = tuple(response.replaces)
            dbr = response.deleteBeforeReplace
            if changes == provider_pb2.DiffResponse.DIFF_NONE:
                if not preview:
                    old.inputs = checked
                return Step("same", urn, outputs=old.outputs, inputs=checked)
            if replaces:
                if preview:
                    return Step("replace", urn, replaces, dbr, inputs=checked)
                replacement = self.check(urn, {}, inputs)
                if dbr:
                    self._delete(old)
                    del self.state[urn]
                    id_, outs = self._create(urn, replacement, secret_outputs)
                    order = ("delete", "create")
                else:
                    id_, outs = self._create(urn, replacement, secret_outputs)
                    self._delete(old)
                    order = ("create", "delete")
                self.state[urn] = ResourceState(
                    urn, type_token, id_, replacement, outs, secret_outputs
                )
                return Step("replace", urn, replaces, dbr, order, outs, replacement)
            if preview:
                return Step("update", urn, inputs=checked)
            outs = self._update(old, checked)
            old.inputs, old.outputs = checked, outs
            return Step("update", urn, outputs=outs, inputs=checked)

    def refresh(self, urn: str, *, preview: bool = False) -> Step:
        """``pulumi refresh`` (``--preview-only`` with ``preview``) of one resource."""
        with self._lock:
            old = self.state[urn]
            response = self._call(
                "Read",
                provider_pb2.ReadRequest(
                    id=old.id,
                    urn=urn,
                    properties=self._send(old.outputs),
                    inputs=self._send(old.inputs),
                ),
            )
            if not response.id:
                if not preview:
                    del self.state[urn]
                return Step("deleted", urn)
            outs = annotate_secrets(from_struct(response.properties), old.inputs)
            outs = mark_secret(outs, old.additional_secret_outputs)
            if response.HasField("inputs"):
                inputs = annotate_secrets(from_struct(response.inputs), old.inputs)
            else:
                inputs = old.inputs
            drift = self.diff(urn, response.id, outs, old.inputs, inputs)
            op = "update" if drift.changes == provider_pb2.DiffResponse.DIFF_SOME else "same"
            if not preview:
                old.id, old.outputs, old.inputs = response.id, outs, inputs
            return Step(op, urn, outputs=outs, inputs=inputs)

    def read_raw(self, urn: str) -> provider_pb2.ReadResponse:
        """A bare ``Read`` of a resource in state (for concurrency tests)."""
        old = self.state[urn]
        return self._call(
            "Read",
            provider_pb2.ReadRequest(
                id=old.id,
                urn=urn,
                properties=self._send(old.outputs),
                inputs=self._send(old.inputs),
            ),
        )

    def destroy(self, urn: str) -> Step:
        """Delete one resource (``pulumi destroy``, or a resource left out of the program)."""
        with self._lock:
            old = self.state[urn]
            self._delete(old)
            del self.state[urn]
            return Step("delete", urn)

    def destroy_all(self) -> list[Step]:
        """``pulumi destroy``: every resource, in reverse registration order."""
        return [self.destroy(urn) for urn in reversed(list(self.state))]
