"""The distribution as a user gets it: the built wheel, installed into an empty virtualenv.

These tests build the wheel (setuptools from PyPI, in pip's build isolation) and install it
with the CLI's dependencies only, no extras, so they also check the promise of the
dependency split: the CLI works without Pulumi or the sandbox's web server, and the parts
that need them say which extra to install.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
    )
    (built,) = out.glob("mailform-*.whl")
    return built


@pytest.fixture(scope="module")
def cli_only(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv holding the wheel and its required dependencies, nothing else."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    return python


def run(python: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, *args], capture_output=True, text=True, cwd=cwd or python.parent, check=False
    )


def test_the_wheel_holds_the_mailform_package_its_stubs_and_licence(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("mailform-")}
    assert tops == {"mailform"}, "only the mailform package is installed at the top level"
    assert "mailform/py.typed" in names
    assert "mailform/luxsci/__init__.pyi" in names
    assert "mailform/lianamailer/__init__.pyi" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = zipfile.ZipFile(wheel).read(
        next(name for name in names if name.endswith(".dist-info/METADATA"))
    )
    assert b"License-Expression: Apache-2.0" in metadata
    assert b"Provides-Extra: pulumi" in metadata
    assert b"Provides-Extra: sandbox" in metadata


def test_the_cli_works_without_extras(cli_only: Path) -> None:
    mailform = cli_only.parent / "mailform"
    valid = subprocess.run(
        [mailform, "validate", str(REPO / "examples" / "accounts.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert run(cli_only, "-c", "import provider").returncode != 0
    importable = run(cli_only, "-c", "import mailform.services.luxsci.service, mailform.services")
    assert importable.returncode == 0, importable.stderr


def test_a_missing_extra_names_its_install_command(cli_only: Path) -> None:
    mailform = cli_only.parent / "mailform"
    sandbox = subprocess.run(
        [mailform, "sandbox", "serve"], capture_output=True, text=True, check=False
    )
    assert sandbox.returncode == 1
    assert "pip install 'mailform[sandbox]'" in sandbox.stderr
    plan = subprocess.run(
        [mailform, "plan", str(REPO / "examples" / "accounts.yaml"), "--sandbox"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert plan.returncode == 1
    assert "pip install 'mailform[sandbox]'" in plan.stderr
    resources = run(cli_only, "-c", "from mailform.luxsci import Alias")
    assert resources.returncode == 1
    assert "pip install 'mailform[pulumi]'" in resources.stderr


def test_requirements_txt_makes_the_virtualenv_pulumi_install_makes(tmp_path: Path) -> None:
    """``pulumi install`` (toolchain pip, Pulumi.yaml's ``virtualenv: .venv``) creates the
    virtualenv and runs ``pip install -r requirements.txt`` in the project directory; the
    program and the dynamic-provider plugin then import mailform's resources from it."""
    root = tmp_path / "venv"
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    resources = run(
        python, "-c", "from mailform.luxsci import Alias; import pulumi.dynamic; print(Alias)"
    )
    assert resources.returncode == 0, resources.stderr
    assert "mailform.luxsci.Alias" in resources.stdout
