"""The hand-written Python program (``examples/pulumi_program.py``) under the real CLI: the
resources order themselves through each other's outputs, the secret it reads from stack
config reaches the provider and never the state in clear, and a second preview is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts import Account
from tests.e2e.project import BOB_PASSWORD, PulumiProject
from tests.e2e.test_dev_stack import SERVER


@pytest.fixture
def example(tmp_path: Path, pulumi_bin: Path, account: Account) -> PulumiProject:
    return PulumiProject.from_repository(
        tmp_path / "example", pulumi_bin, account, program="examples/pulumi_program.py"
    )


def test_the_hand_written_program_converges(example: PulumiProject, account: Account) -> None:
    account.seed(SERVER)
    example.init_stack("dev", rateLimit="0")
    example.set_config({"bobPassword": BOB_PASSWORD}, secret=True)

    preview = example.preview(diff=True)
    for name in ("Customers EU", "Pro customers", "bounce.news.example.com"):
        assert name in preview.stdout
    example.up()

    live = account.state()
    assert set(live["luxsci"]["aliases"]) == {"sales@example.com"}
    assert live["luxsci"]["users"]["bob@example.com"]["name"] == "Bob Example"
    assert {row["name"] for row in live["lianamailer"]["lists"]} == {
        "Newsletter EN",
        "Pro customers",
    }
    assert BOB_PASSWORD not in example.export()
    example.preview(expect_no_changes=True)
