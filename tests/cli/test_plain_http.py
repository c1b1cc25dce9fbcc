"""A CI job whose LUXSCI_API_HOST says ``http://`` by mistake: the run stops before any
connection, says what would have travelled in clear and how to allow it on purpose."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from mailform.cli.main import cli

STACK = "luxsci:\n  domains:\n    - domain: example.com\n"

LUXSCI = {
    "LUXSCI_API_HOST": "http://example.invalid",
    "LUXSCI_API_TOKEN": "tok",
    "LUXSCI_API_SECRET": "s3cr3t-value",
    "LUXSCI_ACCOUNT_ID": "42",
}


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request the run sends; none reaches a network: each is refused as bad
    credentials (an answer no client retries)."""
    tried: list[str] = []

    def refuse(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        tried.append(str(request.url))
        return httpx.Response(401, json={"success": 0, "error_message": "not in this test"})

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)
    for name in ("MAILFORM_INSECURE_HTTP", "MAILFORM_SANDBOX", "LIANAMAILER_API_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in LUXSCI.items():
        monkeypatch.setenv(name, value)
    return tried


def mailform(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("verb", [["plan"], ["drift"], ["apply", "--yes"]])
def test_plain_http_to_another_host_stops_the_run_before_any_connection(
    verb: list[str], attempts: list[str], tmp_path: Path
) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK)
    result = mailform(verb[0], str(stack), *verb[1:])
    assert result.exit_code == 1, result.output
    assert "error: LUXSCI_API_HOST is http://example.invalid: plain http" in result.output
    assert "users' passwords" in result.output and "s3cr3t" not in result.output
    assert "pass --insecure-http (or set MAILFORM_INSECURE_HTTP=1)" in result.output
    assert attempts == []


def test_export_of_every_configured_service_does_not_leave_a_refused_one_out(
    attempts: list[str],
) -> None:
    result = mailform("export")
    assert result.exit_code == 1
    assert "LUXSCI_API_HOST is http://example.invalid: plain http" in result.output
    assert attempts == []


def test_insecure_http_allows_it_with_a_warning(
    attempts: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK)
    flagged = mailform("plan", str(stack), "--insecure-http")
    assert "plain http allowed on purpose; the API token" in flagged.output
    assert set(attempts) == {"http://example.invalid/perl/api/v2/auth"}
    attempts.clear()
    monkeypatch.setenv("MAILFORM_INSECURE_HTTP", "1")  # the same, for CI
    assert "plain http allowed on purpose" in mailform("plan", str(stack)).output
    assert attempts


def test_other_schemes_are_refused_too(attempts: list[str], tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK)
    for url in ("ftp://example.com", "ws://example.com:8080"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("LUXSCI_API_HOST", url)
            result = mailform("plan", str(stack), "--insecure-http")
        assert result.exit_code == 1
        assert f"LUXSCI_API_HOST is {url}: not a host name or an https:// URL" in result.output
    assert attempts == []
