"""Rules over many resources at preview: the provider is asked about one resource at a time,
and judges each new one together with those the deployment declared before it.

Each test is one deployment (one ``MiniEngine``): the preview fails at the resource that
breaks the rule, and nothing is created."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailform.luxsci import Alias, EmailTemplate, User
from tests.accounts import REPO, Account
from tests.pulumi.conftest import plugin_environ
from tests.pulumi.engine import CheckFailed, MiniEngine, ProviderProcess
from tests.pulumi.programs import capture

DOMAIN = "luxsci:\n  domains: [{domain: example.com}]\n"


@pytest.fixture(scope="module")
def limited_plugin() -> Iterator[ProviderProcess]:
    """A plugin whose integration may add 2 users and 3 aliases a day
    (``luxsci:createLimits``, here from the plugin's environment)."""
    environ = {**plugin_environ(), "LUXSCI_CREATE_LIMITS": "users=2, aliases=3"}
    with ProviderProcess(REPO, env=environ) as process:
        yield process


@pytest.fixture
def limited(limited_plugin: ProviderProcess, account: Account) -> MiniEngine:
    assert limited_plugin.stub is not None
    engine = MiniEngine(limited_plugin.stub, stack="dev")
    engine.configure(account.config(rateLimit="0", readCacheSeconds="0"))
    return engine


def _reason(failed: pytest.ExceptionInfo[CheckFailed]) -> str:
    (reason,) = [reason for _, reason in failed.value.failures]
    return reason


def test_two_resources_never_manage_one_object(engine: MiniEngine, account: Account) -> None:
    account.seed(DOMAIN)
    first = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    second = capture(Alias, "sales-again", alias="sales@example.com", dest=["ann@example.com"])
    engine.up(first.type, first.name, first.inputs, preview=True)
    with pytest.raises(CheckFailed) as refused:
        engine.up(second.type, second.name, second.inputs, preview=True)
    assert _reason(refused) == (
        "Alias sales@example.com is declared by the resource 'sales' too; one object is "
        "managed by one resource: remove one of them"
    )
    # The same resource checked again (a preview, then the update) is no conflict.
    assert engine.up(first.type, first.name, first.inputs).op == "create"


def test_a_resource_renamed_without_aliases_does_not_delete_what_its_successor_adopted(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN)
    old = capture(User, "ann", user="ann@example.com", password="pw-Secret-1")
    engine.up(old.type, old.name, old.inputs)
    engine.deployment = "the-next-up"  # a new `pulumi up`: the program names it "ann-user"
    new = capture(User, "ann-user", user="ann@example.com", password="pw-Secret-1")
    assert engine.up(new.type, new.name, new.inputs).op == "create"  # adopts the mailbox
    engine.destroy(engine.urn(old.type, old.name))  # the old resource leaves the program
    assert "ann@example.com" in account.state()["luxsci"]["users"]


def test_an_address_two_new_resources_claim_fails_the_second(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN)
    user = capture(User, "ann", user="ann@example.com", password="pw-Secret-1")
    alias = capture(Alias, "ann-alias", alias="ann@example.com", dest=["bob@example.com"])
    engine.up(user.type, user.name, user.inputs, preview=True)
    with pytest.raises(CheckFailed) as refused:
        engine.up(alias.type, alias.name, alias.inputs, preview=True)
    assert _reason(refused).startswith("ann@example.com is declared as a User too;")
    assert _reason(refused).endswith("(the resource 'ann')")


def test_a_code_word_two_new_templates_claim_fails_the_second(
    engine: MiniEngine, account: Account
) -> None:
    account.seed("luxsci:\n  users: [{user: ann@example.com}]\n")
    one, two = (
        capture(
            EmailTemplate,
            name,
            owner="ann@example.com",
            name=name,
            subject="Hi",
            body_html="<p>Hi</p>",
            code_word="news",
        )
        for name in ("Letter", "Other letter")
    )
    engine.up(one.type, one.name, one.inputs, preview=True)
    with pytest.raises(CheckFailed) as refused:
        engine.up(two.type, two.name, two.inputs, preview=True)
    assert "'news' is also the code_word of EmailTemplate" in _reason(refused)


def test_the_create_budget_fails_the_first_resource_over_it(
    limited: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN + "  users: [{user: old@example.com}]\n")  # added just now: counts
    users = [
        capture(User, name, user=f"{name}@example.com", password="pw-Secret-1")
        for name in ("ann", "bob")
    ]
    limited.up(users[0].type, users[0].name, users[0].inputs, preview=True)
    with pytest.raises(CheckFailed) as refused:
        limited.up(users[1].type, users[1].name, users[1].inputs, preview=True)
    assert _reason(refused).startswith(
        "the plan creates 2 users, 1 were added in the past 24 hours, and the API adds at "
        "most 2 in any 24 hours"
    )
    assert "Create" not in limited.calls
    # The refused resource is not counted: the first one still fits, and is created.
    assert limited.up(users[0].type, users[0].name, users[0].inputs).op == "create"


def test_the_create_budget_counts_new_resources_that_share_nothing(
    limited: MiniEngine, account: Account
) -> None:
    """Each check is judged against the objects near it, and the budget against counts:
    aliases in three domains, a fourth over the limit of 3, fails with the true numbers."""
    account.seed(
        "luxsci:\n  domains: [" + ", ".join(f"{{domain: d{n}.com}}" for n in range(4)) + "]\n"
    )
    aliases = [
        capture(Alias, f"a{n}", alias=f"a{n}@d{n}.com", dest=["x@example.org"]) for n in range(4)
    ]
    for alias in aliases[:3]:
        limited.up(alias.type, alias.name, alias.inputs, preview=True)
    with pytest.raises(CheckFailed) as refused:
        limited.up(aliases[3].type, aliases[3].name, aliases[3].inputs, preview=True)
    assert _reason(refused).startswith(
        "the plan creates 4 aliases, 0 were added in the past 24 hours, and the API adds at "
        "most 3 in any 24 hours"
    )


def test_a_domain_full_of_aliases_refuses_one_more(engine: MiniEngine, account: Account) -> None:
    aliases = "".join(
        f"    - {{alias: a{n}@example.com, dest: [x@example.org]}}\n" for n in range(100)
    )
    account.seed(DOMAIN + "  aliases:\n" + aliases)
    extra = capture(Alias, "one-more", alias="one-more@example.com", dest=["x@example.org"])
    with pytest.raises(CheckFailed) as refused:
        engine.up(extra.type, extra.name, extra.inputs, preview=True)
    assert "100" in _reason(refused)
    assert "Create" not in engine.calls


def test_an_alias_of_a_kind_the_api_cannot_update_fails_the_preview(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(
        DOMAIN + "  aliases: [{alias: all@example.com, type: catchall, dest: [a@example.org]}]\n"
    )
    alias = capture(Alias, "all", alias="all@example.com", dest=["b@example.org"])
    with pytest.raises(CheckFailed) as refused:
        engine.up(alias.type, alias.name, alias.inputs, preview=True)
    assert _reason(refused) == "exists, but is of a kind the API cannot manage"


def test_a_new_object_needs_what_it_refers_to_in_the_account_or_declared_before_it(
    engine: MiniEngine, account: Account
) -> None:
    from mailform.luxsci import Domain

    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.org"])
    with pytest.raises(CheckFailed) as refused:
        engine.up(alias.type, alias.name, alias.inputs, preview=True)
    assert _reason(refused).startswith(
        "Domain example.com is not in the account, and no resource of the stack "
        "declares it before this one"
    )
    domain = capture(Domain, "example.com", domain="example.com")
    engine.up(domain.type, domain.name, domain.inputs, preview=True)
    assert engine.up(alias.type, alias.name, alias.inputs, preview=True).op == "create"
    account.seed("luxsci:\n  domains: [{domain: other.example.com}]\n")
    other = capture(Alias, "info", alias="info@other.example.com", dest=["ann@example.org"])
    assert engine.up(other.type, other.name, other.inputs, preview=True).op == "create"
