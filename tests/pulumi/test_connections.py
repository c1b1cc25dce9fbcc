"""The provider process with its defaults: credentials from the plugin's environment, list
reads shared between calls for the plugin's life (a refresh of many objects costs about one
list call), concurrent calls on one shared client, and user deletion refused unless the
stack allows it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from mailform.luxsci import Alias, Domain, User
from mailform.pulumi.settings import DEFAULT_READ_CACHE_SECONDS
from tests.accounts import REPO, Account
from tests.pulumi.conftest import plugin_environ
from tests.pulumi.engine import EngineError, MiniEngine, ProviderProcess, strip_secrets, to_struct
from tests.pulumi.programs import capture

ALIASES = 200


@pytest.fixture
def default_plugin(
    sandbox: tuple[object, object],
) -> Iterator[ProviderProcess]:
    """A plugin whose only credentials are the LUXSCI_* and LIANAMAILER_* variables of its
    environment; one per test, since it shares list reads for several seconds and each
    test seeds its own account."""
    account = Account(*sandbox)  # type: ignore[arg-type]
    with ProviderProcess(REPO, env={**plugin_environ(), **account.environ()}) as process:
        yield process


@pytest.fixture
def default_engine(default_plugin: ProviderProcess, account: Account) -> MiniEngine:
    """An engine whose stack config says nothing about LuxSci (except the rate limit,
    which the sandbox does not need)."""
    assert default_plugin.stub is not None
    engine = MiniEngine(default_plugin.stub, stack="dev")
    engine.configure({"luxsci:rateLimit": "0"})
    return engine


def test_credentials_come_from_the_environment_when_the_config_has_none(
    default_engine: MiniEngine, account: Account
) -> None:
    domain = capture(Domain, "example.com", domain="example.com")
    assert default_engine.up(domain.type, domain.name, domain.inputs).op == "create"
    assert "example.com" in account.state()["luxsci"]["domains"]


def test_adopting_and_refreshing_many_aliases_costs_one_list_call(
    default_engine: MiniEngine, account: Account
) -> None:
    assert DEFAULT_READ_CACHE_SECONDS is None  # for the whole command
    rows = "\n".join(
        f"    - {{alias: a{n}@many.example.com, dest: [ann@example.com]}}" for n in range(ALIASES)
    )
    account.seed(f"luxsci:\n  domains: [{{domain: many.example.com}}]\n  aliases:\n{rows}\n")
    account.app.requests.clear()
    urns = []
    for n in range(ALIASES):
        alias = capture(Alias, f"a{n}", alias=f"a{n}@many.example.com", dest=["ann@example.com"])
        urns.append(default_engine.up(alias.type, alias.name, alias.inputs).urn)  # adopted
    assert account.list_calls("/aliases") == 1

    # a refresh: 200 reads, 8 at a time (the plugin serves 4), share that same list.
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(default_engine.read_raw, urns))
    assert all(answer.id for answer in answers)
    assert account.list_calls("/aliases") == 1


def test_concurrent_creates_share_one_client_safely(
    default_engine: MiniEngine, account: Account
) -> None:
    account.seed("luxsci:\n  domains: [{domain: busy.example.com}]\n")
    checked = []
    for n in range(24):
        alias = capture(Alias, f"b{n}", alias=f"b{n}@busy.example.com", dest=["ann@example.com"])
        checked.append(default_engine.check(f"urn:b{n}", {}, alias.inputs))

    def create(inputs: dict) -> str:
        from pulumi.runtime.proto import provider_pb2

        request = provider_pb2.CreateRequest(
            urn="urn:x", properties=to_struct(strip_secrets(inputs))
        )
        return default_engine.stub.Create(request).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = sorted(pool.map(create, checked))
    assert ids == sorted(f"b{n}@busy.example.com" for n in range(24))
    assert len(account.state()["luxsci"]["aliases"]) == 24


def test_deleting_a_user_needs_the_opt_in(default_engine: MiniEngine, account: Account) -> None:
    account.seed("luxsci:\n  domains: [{domain: keep.example.com}]\n")
    user = capture(User, "ann", user="ann@keep.example.com", password="pw-Secret-1")
    urn = default_engine.up(user.type, user.name, user.inputs).urn
    with pytest.raises(EngineError) as refused:
        default_engine.destroy(urn)
    assert "deleting it destroys the mailbox and all its mail" in refused.value.details
    assert "add users to the stack config luxsci:allowDestructive" in refused.value.details
    assert "ann@keep.example.com" in account.state()["luxsci"]["users"]
