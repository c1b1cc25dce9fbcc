"""Every LuxSci resource type through its whole life, engine-style, against the sandbox:
create → no-op → change → out-of-band change seen by refresh → up restores → delete → gone.

Where the API lacks an operation, the story says so: custom fields and bounce domains cannot
be changed (the preview fails, naming the field and why) nor deleted (``delete`` leaves them
in the account with a warning); server sending rates cannot be created (``create`` adopts
the server) nor deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from mailform.engine.session import Session
from mailform.pulumi.resources import RESOURCES
from mailform.services.luxsci.objects.alias import ALIASES
from mailform.services.luxsci.objects.content_tag import CONTENT_TAGS
from mailform.services.luxsci.objects.dkim import DKIM
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.email_template import TEMPLATES
from mailform.services.luxsci.objects.group import LIST_GROUPS, TEMPLATE_GROUPS
from mailform.services.luxsci.objects.marketing_list import MARKETING_LISTS
from mailform.services.luxsci.objects.server import set_sending_rate
from mailform.services.luxsci.objects.user import USERS
from tests.accounts import Account
from tests.pulumi.engine import (
    CheckFailed,
    MiniEngine,
    ProviderProcess,
    strip_secrets,
)
from tests.pulumi.programs import capture
from tests.pulumi.stories import refresh_shows_drift_and_up_restores

OWNER = "ann@example.com"
OWNER_SEED = "luxsci:\n  users:\n    - {user: ann@example.com}\n"


def _row(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    return next(row for row in rows if all(row.get(k) == v for k, v in match.items()))


def _rename_template_group(session: Session[Any]) -> None:
    api = TEMPLATE_GROUPS.api(session)
    group = _row(api.list(OWNER), name="Letters")
    api.update(group["template_group_id"], {"name": "Renamed in the web interface"}, OWNER)


def _rename_list_group(session: Session[Any]) -> None:
    api = LIST_GROUPS.api(session)
    group = _row(api.list(OWNER), name="Prospects")
    api.update(group["list_group_id"], {"name": "Renamed in the web interface"}, OWNER)


def _edit_template(session: Session[Any]) -> None:
    api = TEMPLATES.api(session)
    row = _row(api.list(OWNER), name="Monthly newsletter")
    api.update(row["template_id"], {**row, "subject": "Edited by hand"}, OWNER)


def _edit_tag(session: Session[Any]) -> None:
    api = CONTENT_TAGS.api(session)
    row = _row(api.list(OWNER), code_word="footer")
    api.update(row["tag_id"], {**row, "content": "Edited by hand"}, OWNER)


def _edit_list(session: Session[Any]) -> None:
    api = MARKETING_LISTS.api(session)
    row = _row(api.list(OWNER), name="Customers EU")
    api.update(row["list_id"], {"from_name": "Edited by hand"}, OWNER)


@dataclass(frozen=True)
class Lifecycle:
    """One resource type's story: what is declared, what changes, what happens by hand."""

    title: str
    seed: str
    create: dict[str, Any]
    change: dict[str, Any]
    #: What the change is: ``update``, ``replace``, or ``unsupported`` (the preview fails).
    expect: str
    #: A change made outside Pulumi, and the outputs a refresh then reports (None: the
    #: object is gone, e.g. renamed so that its natural key no longer exists).
    out_of_band: Callable[[Session[Any]], None] | None = None
    drift: dict[str, Any] | None = field(default_factory=dict)
    deletable: bool = True
    name: str = "it"


CASES = [
    Lifecycle(
        "Domain",
        "",
        {"domain": "example.com", "settings": {"spam_filter": "high"}},
        {"domain": "example.com", "settings": {"spam_filter": "low"}},
        "update",
        lambda s: DOMAINS.api(s).update("example.com", {"settings": {"spam_filter": "off"}}),
        {"settings": {"spam_filter": "off"}},
    ),
    Lifecycle(
        "Dkim",
        "luxsci:\n  domains: [{domain: example.com}, {domain: news.example.com}]\n",
        {"domain": "example.com"},
        {"domain": "news.example.com"},
        "replace",
        lambda s: DKIM.api(s).delete("news.example.com"),
        None,
    ),
    Lifecycle(
        "BounceDomain",
        "luxsci:\n  domains: [{domain: news.example.com}]\n  dkim: [{domain: news.example.com}]\n"
        "sandbox:\n  dns: {bounce.news.example.com: bounces.luxsci.net}\n",
        {"bounce_domain": "bounce.news.example.com", "from_domain": "news.example.com"},
        {"bounce_domain": "bounce.news.example.com", "from_domain": "example.com"},
        "unsupported",
        deletable=False,
    ),
    Lifecycle(
        "User",
        "luxsci:\n  domains: [{domain: example.com}]\n",
        {"user": OWNER, "name": "Ann", "password": "first-Secret-1", "password_version": 1},
        {
            "user": OWNER,
            "name": "Ann Example",
            "password": "second-Secret-2",
            "password_version": 2,
        },
        "update",
        lambda s: USERS.api(s).update(OWNER, {"name": "Renamed by hand"}),
        {"name": "Renamed by hand"},
    ),
    Lifecycle(
        "Alias",
        "luxsci:\n  domains: [{domain: example.com}]\n",
        {"alias": "Sales@Example.com", "dest": ["ann@example.com"]},
        {"alias": "sales@example.com", "dest": ["bob@example.com", "ann@example.com"]},
        "update",
        lambda s: ALIASES.api(s).update("sales@example.com", {"dest": ["eve@example.com"]}),
        {"dest": ["eve@example.com"]},
    ),
    Lifecycle(
        "ServerSendingRate",
        "sandbox:\n  luxsci:\n    servers: [{host: rs101, server_id: 197101}]\n",
        {"host": "rs101", "rate": 1000},
        {"host": "rs101", "rate": 2000, "auto_warmup": True},
        "update",
        lambda s: set_sending_rate(s.client, 197101, 500),
        {"rate": 500},
        deletable=False,
    ),
    Lifecycle(
        "CustomField",
        OWNER_SEED,
        {"owner": OWNER, "code_word": "first_name", "name": "First name", "type": "text"},
        {"owner": OWNER, "code_word": "first_name", "name": "Given name", "type": "text"},
        "unsupported",
        deletable=False,
    ),
    Lifecycle(
        "TemplateGroup",
        OWNER_SEED,
        {"owner": OWNER, "name": "Newsletters"},
        {"owner": OWNER, "name": "Letters"},
        "replace",
        _rename_template_group,
        None,
    ),
    Lifecycle(
        "EmailTemplate",
        OWNER_SEED + "  template_groups: [{owner: ann@example.com, name: Newsletters}]\n",
        {
            "owner": OWNER,
            "name": "Monthly newsletter",
            "subject": "News",
            "body_html": "<p>Hello</p>",
            "group": "Newsletters",
        },
        {
            "owner": OWNER,
            "name": "Monthly newsletter",
            "subject": "More news",
            "body_html": "<p>Hello</p>",
            "group": "Newsletters",
        },
        "update",
        _edit_template,
        {"subject": "Edited by hand"},
    ),
    Lifecycle(
        "ContentTag",
        OWNER_SEED,
        {"owner": OWNER, "code_word": "footer", "name": "Footer", "content": "Example Inc."},
        {"owner": OWNER, "code_word": "footer", "name": "Footer", "content": "Example GmbH"},
        "update",
        _edit_tag,
        {"content": "Edited by hand"},
    ),
    Lifecycle(
        "ListGroup",
        OWNER_SEED,
        {"owner": OWNER, "name": "Customers"},
        {"owner": OWNER, "name": "Prospects"},
        "replace",
        _rename_list_group,
        None,
    ),
    Lifecycle(
        "MarketingList",
        OWNER_SEED
        + "  list_groups: [{owner: ann@example.com, name: Customers}]\n"
        + "  custom_fields: [{owner: ann@example.com, code_word: first_name, name: First}]\n",
        {
            "owner": OWNER,
            "name": "Customers EU",
            "group": "Customers",
            "from_name": "News",
            "custom_fields": ["first_name"],
        },
        {
            "owner": OWNER,
            "name": "Customers EU",
            "group": "Customers",
            "from_name": "Example News",
            "custom_fields": ["first_name"],
        },
        "update",
        _edit_list,
        {"from_name": "Edited by hand"},
    ),
]


def test_every_luxsci_resource_type_has_a_lifecycle_case() -> None:
    assert {case.title for case in CASES} == set(RESOURCES["luxsci"])


def _declared_keys(inputs: dict[str, Any]) -> set[str]:
    return {key for key in inputs if not key.startswith("__")}


@pytest.mark.parametrize("case", CASES, ids=[case.title for case in CASES])
def test_lifecycle(
    case: Lifecycle, engine: MiniEngine, account: Account, plugin: ProviderProcess
) -> None:
    resource = RESOURCES["luxsci"][case.title]
    if case.seed:
        account.seed(case.seed)
    declared = capture(resource, case.name, **case.create)

    # create: the id is the natural key; the outputs hold the declared values, normalised.
    created = engine.up(declared.type, declared.name, declared.inputs)
    assert created.op == "create"
    state = engine.state[created.urn]
    key = resource.object_type.key_of(strip_secrets(state.outputs))
    assert state.id == "/".join(key)
    checked = strip_secrets(state.inputs)
    for name in _declared_keys(checked):
        if name not in ("password", "password_version"):
            assert strip_secrets(state.outputs)[name] == checked[name], name

    # the same program again: nothing to do.
    assert engine.up(declared.type, declared.name, declared.inputs).op == "same"

    # a change: an update, a replacement, or a clear failure where the API cannot.
    changed = capture(resource, case.name, **case.change)
    if case.expect == "unsupported":
        with pytest.raises(CheckFailed) as failure:  # the preview fails: nothing is sent
            engine.up(changed.type, changed.name, changed.inputs, preview=True)
        (reason,) = [reason for _, reason in failure.value.failures]
        assert "cannot be changed in place" in reason
        assert "LuxSci" in reason  # the type's hint: where to change it
        assert engine.up(declared.type, declared.name, declared.inputs).op == "same"
        current = declared
    else:
        preview = engine.up(changed.type, changed.name, changed.inputs, preview=True)
        assert preview.op == case.expect
        step = engine.up(changed.type, changed.name, changed.inputs)
        assert step.op == case.expect
        if case.expect == "replace":
            assert step.order == ("create", "delete")  # a new key: both can coexist
            assert not step.delete_before_replace
        assert engine.up(changed.type, changed.name, changed.inputs).op == "same"
        current = changed

    # a change by hand: refresh shows it (outputs, and inputs of the declared shape).
    if case.out_of_band is not None:
        case.out_of_band(account.session())
        refresh_shows_drift_and_up_restores(
            engine, created.urn, current, case.drift, secrets=frozenset({"password"})
        )

    # delete, then a refresh reports it gone (or, where the API cannot delete, still there).
    gone = engine.state[created.urn]
    assert engine.destroy(created.urn).op == "delete"
    engine.state[created.urn] = gone
    after = engine.refresh(created.urn)
    if case.deletable:
        assert after.op == "deleted"
    else:
        assert after.op in ("same", "update")
        assert "stays in the account" in plugin.stderr
