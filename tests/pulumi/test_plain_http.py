"""A stack whose config says ``luxsci:apiHost: http://...`` by mistake: the preview fails
at the first resource, naming the config key and what would travel in clear, unless the
stack allows it on purpose (``luxsci:insecureHttp``), which the plugin's log then says.

Each test starts a plugin of its own: the plugin configures a provider once, with the
first stack config it receives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailform.lianamailer import Site
from mailform.luxsci import Alias
from tests.accounts import REPO, Account
from tests.pulumi.conftest import plugin_environ
from tests.pulumi.engine import UNKNOWN, CheckFailed, MiniEngine, ProviderProcess
from tests.pulumi.programs import capture


@pytest.fixture
def own_plugin() -> Iterator[ProviderProcess]:
    with ProviderProcess(REPO, env=plugin_environ()) as process:
        yield process


def engine_with(plugin: ProviderProcess, account: Account, **config: str) -> MiniEngine:
    """An engine whose stack config is the sandbox's, with ``config`` laid over it."""
    assert plugin.stub is not None
    engine = MiniEngine(plugin.stub, stack="dev")
    settings = account.config(rateLimit="0", readCacheSeconds="0")
    engine.configure({**settings, **{key.replace("_", ":"): v for key, v in config.items()}})
    return engine


def test_a_plain_http_api_url_fails_the_preview_naming_the_config_key(
    own_plugin: ProviderProcess, account: Account
) -> None:
    engine = engine_with(
        own_plugin,
        account,
        luxsci_apiHost="http://luxsci.example.invalid",
        lianamailer_apiUrl="http://liana.example.invalid:8080/",
    )
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    with pytest.raises(CheckFailed) as refused:
        engine.up(alias.type, alias.name, {**alias.inputs, "dest": UNKNOWN}, preview=True)
    ((field, reason),) = refused.value.failures
    assert field == "alias"
    assert reason.startswith(
        "luxsci:apiHost (LUXSCI_API_HOST) is http://luxsci.example.invalid: plain http to a "
        "host other than this machine would carry the API token, each request's signature "
        "cookie"
    )
    assert reason.endswith("to accept that, set the stack config luxsci:insecureHttp to true")

    site = capture(Site, "news", domain="news.example.com")
    with pytest.raises(CheckFailed) as refused:
        engine.up(site.type, site.name, site.inputs, preview=True)
    ((_, reason),) = refused.value.failures
    assert reason.startswith(
        "lianamailer:apiUrl (LIANAMAILER_API_URL) is http://liana.example.invalid:8080: "
    )
    assert "Authorization header" in reason and "lianamailer:insecureHttp" in reason
    assert "Create" not in engine.calls


def test_insecure_http_in_the_stack_config_allows_it_with_a_warning(
    own_plugin: ProviderProcess, account: Account
) -> None:
    engine = engine_with(
        own_plugin,
        account,
        luxsci_apiHost="http://luxsci.example.invalid",
        luxsci_insecureHttp="true",
    )
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    # Unknown values: the preview checks what it knows, and needs no request.
    unknown = {**alias.inputs, "dest": UNKNOWN}
    assert engine.up(alias.type, alias.name, unknown, preview=True).op == "create"
    assert (
        "LUXSCI_API_HOST is http://luxsci.example.invalid: plain http allowed on purpose; "
        "the API token" in own_plugin.stderr
    )
