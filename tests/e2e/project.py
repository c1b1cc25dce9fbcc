"""A Pulumi project in a temporary directory, run by the real ``pulumi`` CLI.

Each project gets what a user's CI job has, and nothing of the developer's machine:

- its own file backend (``PULUMI_BACKEND_URL=file://...``) and ``PULUMI_HOME``, so no
  login, no state and no plugin cache is shared with anything else;
- the passphrase secrets provider (``PULUMI_CONFIG_PASSPHRASE``);
- no update check and no automatic plugin download (there is no network to download from);
- the repository's program files, copied as they are (``Pulumi.yaml``, ``__main__.py``,
  ``stacks/``), and the repository's virtualenv, linked as ``.venv``;
- credentials only through ``pulumi config set [--secret]``: the ``LUXSCI_*`` and
  ``LIANAMAILER_*`` variables are removed from the environment of every command.

**How the program runs.** The released CLI runs ``__main__.py`` through its Python
language host, a Go program in a module of its own that the module proxy reachable here
does not serve (``scripts/pulumi-cli``). So ``preview``, ``up``, ``refresh`` and
``destroy`` run through Pulumi's Automation API: the same CLI commands, with the program
served (``--client``) by the language host that the Python SDK carries, in a Python process
of its own (``tests/e2e/driver.py``) that executes the project's ``__main__.py``. The
engine, the state backend, secrets encryption, config, plugin discovery and the
dynamic-provider plugin (a separate process, over gRPC) are the real ones. In that mode
the engine passes the plugin no virtualenv, and it runs ``python3`` from PATH, as for any
Automation API program: the virtualenv's ``bin`` comes first on PATH, as an activated
virtualenv has it. Every other command (``stack init``, ``config set``, ``stack export``)
is run as a user types it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.accounts import REPO, Account

#: The commands that run the program, through the Automation API.
OPERATIONS = ("preview", "up", "refresh", "destroy")

PASSPHRASE = "e2e-passphrase"
#: The password the stack files' ``{env: BOB_PASSWORD}`` reference reads.
BOB_PASSWORD = "E2e-Bob-Passw0rd"


@dataclass(frozen=True)
class Run:
    """One finished ``pulumi`` command."""

    command: str
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Everything the command printed."""
        return self.stdout + self.stderr

    def json(self) -> Any:
        """The command's ``--json`` answer."""
        return json.loads(self.stdout)


class PulumiFailed(AssertionError):
    """A ``pulumi`` command ended with another exit code than the test expected."""


class PulumiProject:
    """A project directory, its stack, and the ``pulumi`` commands run in it."""

    #: Seconds an operation (``up``, ``refresh``…) may take before it is stopped.
    operation_timeout: float = 300

    def __init__(self, directory: Path, bin_dir: Path, account: Account, program: Path) -> None:
        self.directory = directory
        self.bin_dir = bin_dir
        self.account = account
        self.program = program
        self.home = directory.parent / f"{directory.name}-pulumi-home"
        self.backend = directory.parent / f"{directory.name}-state"
        self.home.mkdir()
        self.backend.mkdir()
        self.stack_name: str | None = None

    @classmethod
    def from_repository(
        cls,
        directory: Path,
        bin_dir: Path,
        account: Account,
        *,
        program: str = "__main__.py",
    ) -> PulumiProject:
        """The repository's project: ``Pulumi.yaml``, ``stacks/`` and a program file of the
        repository (``__main__.py``, or a hand-written one such as
        ``examples/pulumi_program.py``), copied to ``__main__.py``."""
        directory.mkdir()
        shutil.copy(REPO / "Pulumi.yaml", directory / "Pulumi.yaml")
        shutil.copy(REPO / program, directory / "__main__.py")
        shutil.copytree(REPO / "stacks", directory / "stacks")
        (directory / ".venv").symlink_to(REPO / ".venv")
        return cls(directory, bin_dir, account, directory / "__main__.py")

    # -- the environment -----------------------------------------------------------------

    def environ(self) -> dict[str, str]:
        """The environment of every ``pulumi`` command."""
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LUXSCI_", "LIANAMAILER_", "PULUMI_"))
        }
        path = os.pathsep.join([str(self.bin_dir), str(REPO / ".venv" / "bin"), base["PATH"]])
        return {
            **base,
            "PATH": path,
            "PULUMI_HOME": str(self.home),
            "PULUMI_BACKEND_URL": self.backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "BOB_PASSWORD": BOB_PASSWORD,
        }

    # -- commands as a user types them ---------------------------------------------------

    def pulumi(self, *args: str, expect: int | None = 0, timeout: float = 180) -> Run:
        """Run ``pulumi ARGS`` in the project; fail the test when the exit code is not
        ``expect`` (None: any code)."""
        command = [str(self.bin_dir / "pulumi"), *args, "--color", "never", "--non-interactive"]
        if self.stack_name is not None and args[0] != "stack":
            command += ["--stack", self.stack_name]
        done = subprocess.run(
            command,
            cwd=self.directory,
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return self._checked(
            Run(f"pulumi {' '.join(args)}", done.returncode, done.stdout, done.stderr), expect
        )

    def init_stack(self, name: str = "dev", **settings: str) -> None:
        """``pulumi stack init``, then the stack config that points both services at the
        sandbox (credentials with ``--secret``). Each of ``settings`` is set for both
        services (``rateLimit="0"`` → ``luxsci:rateLimit`` and ``lianamailer:rateLimit``)."""
        self.pulumi("stack", "init", name)
        self.stack_name = name
        luxsci = self.account.app.credentials
        liana = self.account.app.lianamailer_credentials
        self.set_config(
            {
                "luxsci:apiHost": self.account.base_url,
                "luxsci:dns": self.account.server.dns_address,
                "luxsci:accountId": luxsci.account_id,
                "lianamailer:apiUrl": self.account.base_url,
                "lianamailer:realm": liana.realm,
                "lianamailer:userId": liana.user_id,
                **{
                    f"{service}:{key}": value
                    for service in ("luxsci", "lianamailer")
                    for key, value in settings.items()
                },
            }
        )
        self.set_config(
            {
                "luxsci:apiToken": luxsci.token,
                "luxsci:apiSecret": luxsci.secret,
                "lianamailer:apiSecret": liana.secret,
            },
            secret=True,
        )

    def set_config(self, values: Mapping[str, str], *, secret: bool = False) -> None:
        """``pulumi config set [--secret] KEY VALUE`` for each of ``values``."""
        for key, value in values.items():
            self.pulumi("config", "set", key, value, "--secret" if secret else "--plaintext")

    def export(self) -> str:
        """``pulumi stack export``: the checkpoint as Pulumi stores it, as text."""
        return self.pulumi("stack", "export", "--stack", str(self.stack_name)).stdout

    def resources(self) -> dict[str, dict[str, Any]]:
        """The stack's dynamic resources in state, by resource name."""
        deployment = json.loads(self.export())["deployment"]
        return {
            resource["urn"].rsplit("::", 1)[-1]: resource
            for resource in deployment.get("resources") or []
            if resource["type"].startswith("pulumi-python:dynamic/")
        }

    def secrets(self) -> list[str]:
        """Every secret a leak check looks for: the credentials and the user password."""
        luxsci = self.account.app.credentials
        liana = self.account.app.lianamailer_credentials
        return [luxsci.token, luxsci.secret, liana.secret, BOB_PASSWORD]

    @property
    def stack_file(self) -> Path:
        """The stack file the YAML-driven program of the current stack reads."""
        return self.directory / "stacks" / f"{self.stack_name}.yaml"

    # -- commands that run the program ---------------------------------------------------

    def preview(self, *, expect: int | None = 0, **options: Any) -> Run:
        """``pulumi preview`` with Automation API ``options`` (``diff=True``…)."""
        return self._operation("preview", expect, options)

    def preview_json(self) -> dict[str, Any]:
        """``pulumi preview --json``: the steps and the change summary."""
        return self.preview(json=True).json()

    def up(self, *, expect: int | None = 0, **options: Any) -> Run:
        """``pulumi up --yes --skip-preview`` (``refresh=True`` adds ``--refresh``)."""
        return self._operation("up", expect, options)

    def refresh(self, *, expect: int | None = 0, **options: Any) -> Run:
        """``pulumi refresh --yes`` (``preview_only=True``, ``expect_no_changes=True``…)."""
        return self._operation("refresh", expect, options)

    def destroy(self, *, expect: int | None = 0, **options: Any) -> Run:
        """``pulumi destroy --yes --skip-preview``."""
        return self._operation("destroy", expect, options)

    def command(self, line: str, *, expect: int | None = 0) -> Run:
        """Run a ``pulumi`` command line as a user or a CI recipe types it
        (``pulumi refresh --preview-only --expect-no-changes``): ``preview``, ``up``,
        ``refresh`` and ``destroy`` through the Automation API, with each flag as its
        option; ``--yes``, ``--non-interactive`` and ``--stack NAME`` are implied."""
        words = line.split()
        assert words[0] == "pulumi" and words[1] in OPERATIONS, line
        options: dict[str, Any] = {}
        flags = iter(words[2:])
        for flag in flags:
            if flag == "--stack":
                assert next(flags) == self.stack_name, line
            elif flag not in ("--yes", "--non-interactive", "--skip-preview"):
                options[flag.removeprefix("--").replace("-", "_")] = True
        return self._operation(words[1], expect, options)

    def _operation(self, name: str, expect: int | None, options: Mapping[str, Any]) -> Run:
        assert self.stack_name is not None, "init_stack first"
        request = {
            "operation": name,
            "options": dict(options),
            "stack": self.stack_name,
            "project": "mailform",
            "program": str(self.program),
            "work_dir": str(self.directory),
            "pulumi_home": str(self.home),
            "pulumi_root": str(self.bin_dir.parent),
            "env": self.environ(),
        }
        done = subprocess.run(
            [REPO / ".venv" / "bin" / "python", "-m", "tests.e2e.driver", json.dumps(request)],
            cwd=self.directory,
            env={**self.environ(), "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=self.operation_timeout,
            check=False,
        )
        if done.returncode != 0:
            raise PulumiFailed(f"the Automation API driver failed:\n{done.stderr}")
        result = json.loads(done.stdout.splitlines()[-1])
        flags = " ".join(f"{key}={value}" for key, value in options.items())
        return self._checked(
            Run(f"pulumi {name} {flags}", result["code"], result["stdout"], result["stderr"]),
            expect,
        )

    @staticmethod
    def _checked(run: Run, expect: int | None) -> Run:
        if expect is not None and run.code != expect:
            raise PulumiFailed(f"{run.command} exited {run.code}, expected {expect}:\n{run.output}")
        return run


def steps_by_op(preview: Mapping[str, Any]) -> dict[str, set[str]]:
    """A ``preview --json`` answer's dynamic-resource steps as {op: {"Type name"}}."""
    found: dict[str, set[str]] = {}
    for step in preview.get("steps", []):
        urn = step["urn"]
        kind = urn.split("::")[-2]
        if not kind.startswith("pulumi-python:dynamic/"):
            continue
        title = kind.rsplit(":", 1)[-1]
        found.setdefault(step["op"], set()).add(f"{title} {urn.rsplit('::', 1)[-1]}")
    return found
