"""Running Pulumi programs in tests under ``pulumi.runtime.set_mocks``, recording what the
SDK registers (the end-to-end tests in ``tests/e2e`` run them under the real engine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks

from tests.pulumi.engine import from_struct


@dataclass(frozen=True)
class Registration:
    """One ``RegisterResource`` as the SDK sent it: the exact inputs (secrets wrapped,
    ``None`` dropped, ``__provider`` pickled) and the options that reach the engine."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    dependencies: tuple[str, ...]
    protect: bool
    additional_secret_outputs: tuple[str, ...]

    @property
    def service(self) -> str:
        """The service of the resource type (``luxsci``)."""
        return self.type.rsplit(":", 1)[0].rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        """The resource type's title (``Alias``)."""
        return self.type.rsplit(":", 1)[-1]


class EchoMocks(mocks.Mocks):
    """Mocks that play a provider answering its inputs as outputs, id = the name."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name, dict(args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that records every registration (the provider's side is echoed: the
    real engine runs programs in ``tests/e2e``)."""

    def __init__(self) -> None:
        super().__init__(EchoMocks())
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type == "pulumi:pulumi:Stack":
            return super().RegisterResource(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = from_struct(request.object)
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=urn,
                inputs=inputs,
                dependencies=tuple(request.dependencies),
                protect=request.protect,
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
            )
        )
        return super().RegisterResource(request)


def run_program(
    program: Callable[[], Any],
    *,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    stack: str = "dev",
) -> list[Registration]:
    """Run ``program`` as Pulumi would (project ``mailform``, stack ``stack``) and answer
    every resource it registered, in order."""
    monitor = RecordingMonitor()
    pulumi.runtime.set_mocks(
        EchoMocks(), project="mailform", stack=stack, preview=False, monitor=monitor
    )
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])

    @pulumi.runtime.test
    def execute() -> Any:
        program()

    execute()
    return monitor.registrations


def capture(resource: Callable[..., Any], name: str, /, **args: Any) -> Registration:
    """The registration the SDK makes for one resource (``Alias("x", alias=...)``)."""
    return run_program(lambda: resource(name, **args))[0]
