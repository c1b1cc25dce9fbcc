"""Our ``pulumi-resource-pulumi-python``, the plugin that serves dynamic providers, started as
the engine starts it for a CLI-run program: in the program's directory, with the project's
runtime options as ``PULUMI_RUNTIME_*`` variables. (The end-to-end tests run programs
through the Automation API, where the engine passes no virtualenv; this covers the other
path.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.accounts import REPO

PLUGIN = REPO / "scripts" / "pulumi-resource-pulumi-python"
#: A PATH without the project's virtualenv: the plugin must find it from the option alone.
BARE_PATH = "/usr/bin:/bin"


def start(directory: Path, virtualenv: str) -> subprocess.Popen[str]:
    environ = {"PATH": BARE_PATH, "HOME": os.environ.get("HOME", "/tmp")}
    environ["PULUMI_RUNTIME_VIRTUALENV"] = virtualenv
    return subprocess.Popen(
        [PLUGIN, "127.0.0.1:1"],
        cwd=directory,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_plugin_serves_from_the_virtualenv_that_pulumi_yaml_names(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    plugin = start(tmp_path, ".venv")
    try:
        assert plugin.stdout is not None
        port = plugin.stdout.readline().strip()  # the engine reads the port from stdout
        assert port.isdigit() and int(port) > 0
    finally:
        plugin.kill()
        plugin.wait()


def test_a_missing_virtualenv_says_what_to_run(tmp_path: Path) -> None:
    plugin = start(tmp_path, "venv-that-is-not-there")
    _, stderr = plugin.communicate(timeout=30)
    assert plugin.returncode == 1
    assert f"{tmp_path}/venv-that-is-not-there has no bin/python" in stderr
    assert "pulumi install" in stderr
