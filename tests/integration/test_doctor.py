"""``mailform doctor`` against the sandbox, as a user runs it: on the demo account every
assumption a read can check is confirmed, with nothing but reads sent (the sandbox's own log
of requests says so); a sandbox told to deviate is named assumption by assumption; the
formats carry no secret, and answer values only when asked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from mailform.assumptions import all_assumptions
from mailform.cli.connect import sandbox_environment
from mailform.cli.main import cli
from mailform.sandbox.server import SandboxApp, SandboxServer

pytestmark = pytest.mark.integration

DEMO = Path(__file__).parents[2] / "examples" / "accounts.yaml"

#: The LianaMailer calls that only read, written out here rather than taken from mailform.
LIANA_READS = {
    "sites",
    "getSite",
    "getCustomerProperties",
    "getConsentTypes",
    "getConsentTypesBySite",
    "getMailingLists",
    "getMailingList",
}
CHECKED_OR_BY_HAND = {"confirmed", "not checkable read-only"}


class RecordingSandbox(SandboxApp):
    """The sandbox, keeping the method and path of every request that reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append((scope["method"], scope["path"]))
        await super().__call__(scope, receive, send)


@pytest.fixture(scope="module")
def recording() -> Iterator[SandboxServer]:
    with SandboxServer(RecordingSandbox()) as server:
        yield server


@pytest.fixture
def demo(recording: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """The demo account in the sandbox, the CLI's variables pointing at it, the request log
    empty; yields the sandbox's control endpoints."""
    with recording.control_client(timeout=10) as control:
        control.post("/reset").raise_for_status()
        control.post("/seed", content=DEMO.read_text()).raise_for_status()
        env = sandbox_environment(recording.app, recording.base_url, recording.dns_address)
        for name, value in {**env, "MAILFORM_RATE_LIMIT": "0"}.items():
            monkeypatch.setenv(name, value)
        requests(recording).clear()
        yield control


def requests(server: SandboxServer) -> list[tuple[str, str]]:
    app = server.app
    assert isinstance(app, RecordingSandbox)
    return app.requests


def doctor(*args: str) -> Result:
    return CliRunner().invoke(cli, ["doctor", *args], catch_exceptions=False)


def statuses(result: Result) -> dict[str, str]:
    report = json.loads(result.stdout)
    return {a["id"]: a["status"] for s in report["services"] for a in s["assumptions"]}


def test_the_demo_account_confirms_every_checkable_assumption_and_only_reads_are_sent(
    demo: httpx.Client, recording: SandboxServer
) -> None:
    result = doctor("--format", "json")
    assert result.exit_code == 0, result.output
    found = statuses(result)
    assert set(found) == {a.id for a in all_assumptions()}
    assert set(found.values()) <= CHECKED_OR_BY_HAND, {
        k: v for k, v in found.items() if v not in CHECKED_OR_BY_HAND
    }
    always_checked = {a.id for a in all_assumptions() if a.checkable and not a.manual}
    assert {k for k, v in found.items() if v == "confirmed"} == always_checked

    sent = requests(recording)
    assert sent
    for method, path in sent:
        if path.startswith("/perl/api/v2/"):
            assert method == "GET" or path == "/perl/api/v2/auth", (method, path)
        else:
            assert method == "POST" and path.startswith("/api/v1/"), (method, path)
            assert path.removeprefix("/api/v1/") in LIANA_READS, path
    assert ("DELETE", "/perl/api/v2/auth") in sent  # the session is ended, not left open


@pytest.mark.parametrize(
    ("deviations", "clock", "named"),
    [
        pytest.param(
            [{"path": "/aliases", "rename": {"dest": "destinations"}}],
            0,
            {"luxsci.aliases.fields"},
            id="a renamed answer field",
        ),
        pytest.param(
            [{"path": "/getMailingLists", "rename": {"member_count": "members"}}],
            0,
            {"lianamailer.lists.fields"},
            id="a renamed LianaMailer field",
        ),
        pytest.param(
            [{"path": "/auth", "method": "POST", "status": 200}],
            0,
            {"luxsci.auth.request"},
            id="another status code",
        ),
        pytest.param(
            [{"path": "/servers", "status": 404}],
            0,
            {"luxsci.servers.list"},
            id="a list the API does not have",
        ),
        pytest.param([], 150, {"luxsci.clock", "lianamailer.clock"}, id="a skewed clock"),
    ],
)
def test_a_deviating_sandbox_is_named_by_the_exact_assumption(
    demo: httpx.Client, deviations: list[dict[str, Any]], clock: float, named: set[str]
) -> None:
    demo.put("/deviations", json={"deviations": deviations}).raise_for_status()
    demo.put("/clock", json={"offset": clock}).raise_for_status()
    result = doctor("--format", "json")
    assert result.exit_code == 2, result.output
    found = statuses(result)
    assert {k for k, v in found.items() if v == "contradicted"} == named


def test_the_table_and_the_markdown_name_what_contradicts(demo: httpx.Client) -> None:
    deviation = {"path": "/aliases", "rename": {"dest": "destinations"}}
    demo.put("/deviations", json={"deviations": [deviation]}).raise_for_status()
    table = doctor("--service", "luxsci")
    assert table.exit_code == 2
    lines = table.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("│ contradicted"))
    assert "`dest` missing" in lines[first]
    assert "luxsci.aliases.fields" in lines[first + 1]
    assert "Assumptions:" in table.stdout and "1 contradicted" in table.stdout
    markdown = doctor("--service", "luxsci", "--format", "markdown")
    assert markdown.stdout.startswith("## mailform doctor\n")
    contradicted = markdown.stdout.split("### Contradicted (1)")[1].split("<details>")[0]
    assert "| `luxsci.aliases.fields` |" in contradicted
    assert "lianamailer." not in markdown.stdout


def test_no_output_holds_a_secret_and_values_only_with_show_values(
    demo: httpx.Client, recording: SandboxServer
) -> None:
    env = sandbox_environment(recording.app, recording.base_url)
    secrets = [
        env["LUXSCI_API_SECRET"],
        env["LUXSCI_API_TOKEN"],
        env["LIANAMAILER_API_SECRET"],
        recording.app.control_token,
    ]
    auth_code = re.compile(r"\d+-\d+-[0-9a-f]{64}")
    outputs = {}
    for output_format in ("text", "json", "markdown"):
        for values in ((), ("--show-values",)):
            result = doctor("--format", output_format, *values)
            assert result.exit_code == 0, result.output
            outputs[(output_format, bool(values))] = result.output
    for (output_format, values), text in outputs.items():
        for secret in secrets:
            assert secret not in text, (output_format, values)
        assert not auth_code.search(text), (output_format, values)
        # an answer value: the subject of the demo account's template
        assert ("News from Example" in text) == values, (output_format, values)


def test_a_refused_authentication_exits_1_and_says_so(
    demo: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUXSCI_API_SECRET", "not-the-secret")
    result = doctor("--service", "luxsci")
    assert result.exit_code == 1
    assert "error: stopped early: luxsci: POST /perl/api/v2/auth failed (HTTP 401)" in result.output
    assert "Traceback" not in result.output


def test_a_clock_too_far_off_to_sign_fails_and_says_it_is_the_clock(demo: httpx.Client) -> None:
    demo.put("/clock", json={"offset": 400}).raise_for_status()
    result = doctor("--service", "luxsci", "--format", "json")
    assert result.exit_code == 1
    assert statuses(result)["luxsci.clock"] == "contradicted"
    assert "400 s ahead" in result.stdout and "NTP" in result.stdout


def test_the_embedded_sandbox_with_the_demo_account_confirms_everything_checkable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seeded = CliRunner().invoke(cli, ["sandbox", "seed", str(DEMO)])
    assert seeded.exit_code == 0, seeded.output
    result = doctor("--sandbox", "--format", "json")
    assert result.exit_code == 0, result.output
    assert set(statuses(result).values()) <= CHECKED_OR_BY_HAND
