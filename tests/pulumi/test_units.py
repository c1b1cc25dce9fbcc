"""The provider's pieces, called directly (no plugin): the pickle, settings, the shared
session's expiry, the Pulumi diff rules (including a same-key replacement, which no LuxSci
type can show), the resource classes and their stubs, and an import path that only Pulumi
programs take."""

from __future__ import annotations

import ast
import base64
import inspect
import subprocess
import sys
from typing import Any

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown

import mailform.luxsci
from mailform.errors import ConfigurationError
from mailform.http.baseurl import BaseUrlRefused, PlainHttpRefused
from mailform.pulumi.changes import diff, refusal
from mailform.pulumi.connections import INDEX, Connections, ExpiringSession
from mailform.pulumi.properties import Properties
from mailform.pulumi.provider import ObjectProvider
from mailform.pulumi.resources import RESOURCES
from mailform.pulumi.settings import ProviderSettings, config_environ, config_key, env_name
from mailform.pulumi.stubs import render, stub_path
from mailform.services import SERVICES
from mailform.services.lianamailer.service import LIANAMAILER
from mailform.services.luxsci.service import LUXSCI
from tests.accounts import REPO
from tests.engine.fakes import BookType

# -- the pickle ---------------------------------------------------------------------------


def test_the_provider_pickles_by_reference_without_configuration() -> None:
    provider = ObjectProvider("luxsci", "users")
    before = serialize_provider(provider)
    provider.configure(
        ConfigureRequest(Config({"luxsci:apiSecret": "s3cr3t", "luxsci:apiToken": "t0k"}, "x"))
    )
    after = serialize_provider(provider)
    assert before == after  # configuring never changes what state holds
    raw = base64.b64decode(after)
    assert b"s3cr3t" not in raw and b"t0k" not in raw and len(raw) < 120
    clone = dill.loads(raw)
    assert (type(clone), clone.service, clone.type_name) == (ObjectProvider, "luxsci", "users")
    assert clone.object_type.title == "User"


# -- settings -----------------------------------------------------------------------------


def test_config_keys_mirror_the_environment_variables() -> None:
    assert env_name("luxsci", "apiToken") == "LUXSCI_API_TOKEN"
    assert env_name("luxsci", "accountId") == "LUXSCI_ACCOUNT_ID"
    assert env_name("lianamailer", "apiUrl") == "LIANAMAILER_API_URL"
    assert config_key("luxsci", "LUXSCI_API_SECRET") == "luxsci:apiSecret"
    config = {"luxsci:apiHost": "h", "luxsci:rateLimit": 0, "aws:region": "x", "luxsci:x": None}
    assert config_environ("luxsci", config) == {"LUXSCI_API_HOST": "h", "LUXSCI_RATE_LIMIT": "0"}


def test_stack_config_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUXSCI_API_TOKEN", "from-env")
    monkeypatch.setenv("LUXSCI_ACCOUNT_ID", "1")
    settings = ProviderSettings.now("luxsci", {"LUXSCI_API_TOKEN": "from-config"})
    assert settings.connection_environ()["LUXSCI_API_TOKEN"] == "from-config"
    assert settings.connection_environ()["LUXSCI_ACCOUNT_ID"] == "1"
    assert settings.rate_limit is None and settings.read_cache_seconds is None
    assert not settings.allow_delete_users
    tuned = ProviderSettings("luxsci", {"LUXSCI_READ_CACHE_SECONDS": "fast"})
    with pytest.raises(ValueError, match=r"^luxsci:readCacheSeconds must be a number$"):
        _ = tuned.read_cache_seconds


def test_missing_credentials_name_the_config_keys_and_variables() -> None:
    settings = ProviderSettings("luxsci", {"LUXSCI_API_SECRET": "s3cr3t"})
    with pytest.raises(ConfigurationError) as missing:
        Connections().session(LUXSCI, settings)
    message = str(missing.value)
    assert "LUXSCI_API_TOKEN" in message and "luxsci:apiToken" in message
    assert "luxsci:accountId" in message and "s3cr3t" not in message


def test_plain_http_is_allowed_per_service_or_for_every_service() -> None:
    assert not ProviderSettings("luxsci", {}).insecure_http
    assert ProviderSettings("luxsci", {"LUXSCI_INSECURE_HTTP": "true"}).insecure_http
    assert not ProviderSettings("luxsci", {"LUXSCI_INSECURE_HTTP": "no"}).insecure_http
    assert not ProviderSettings("lianamailer", {"LUXSCI_INSECURE_HTTP": "1"}).insecure_http
    assert ProviderSettings("lianamailer", {"MAILFORM_INSECURE_HTTP": "1"}).insecure_http


def test_a_refused_base_url_names_the_config_key() -> None:
    credentials = {"LUXSCI_API_TOKEN": "t", "LUXSCI_API_SECRET": "s3cr3t", "LUXSCI_ACCOUNT_ID": "1"}
    plain = {**credentials, "LUXSCI_API_HOST": "http://luxsci.example.invalid"}
    with pytest.raises(PlainHttpRefused) as refused:
        Connections().session(LUXSCI, ProviderSettings("luxsci", plain))
    assert str(refused.value).startswith(
        "luxsci:apiHost (LUXSCI_API_HOST) is http://luxsci.example.invalid: plain http"
    )
    assert str(refused.value).endswith("set the stack config luxsci:insecureHttp to true")
    allowed = ProviderSettings("luxsci", {**plain, "LUXSCI_INSECURE_HTTP": "true"})
    client = Connections().session(LUXSCI, allowed).client
    assert client.requests_sent == 0
    client.close()
    ftp = ProviderSettings("luxsci", {**credentials, "LUXSCI_API_HOST": "ftp://example.com"})
    with pytest.raises(BaseUrlRefused, match=r"set by the stack config luxsci:apiHost, else "):
        Connections().session(LUXSCI, ftp)


# -- the shared session -------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_lists_are_shared_for_their_lifetime_and_forgotten_on_writes() -> None:
    clock = Clock()
    session = ExpiringSession(client=None, lifetime=10, clock=clock)
    fetches: list[str] = []

    def fetch(name: str) -> Any:
        return lambda: fetches.append(name) or name

    assert session.cached("aliases", fetch("aliases")) == "aliases"
    session.cached((INDEX, "aliases"), fetch("index"))
    clock.now = 9.9
    session.cached("aliases", fetch("aliases"))
    session.cached((INDEX, "aliases"), fetch("index"))
    assert fetches == ["aliases", "index"]
    session.forget("domains")  # any write drops the derived indexes, not other lists
    session.cached("aliases", fetch("aliases"))
    session.cached((INDEX, "aliases"), fetch("index"))
    assert fetches == ["aliases", "index", "index"]
    clock.now = 30
    session.cached("aliases", fetch("aliases"))
    assert fetches[-1] == "aliases"


def test_a_list_read_while_a_write_happened_is_not_kept() -> None:
    session = ExpiringSession(client=None, lifetime=10, clock=Clock())

    def racing() -> str:
        session.forget("aliases")  # a create finishing while the list was being read
        return "stale"

    assert session.cached("aliases", racing) == "stale"
    assert session.cached("aliases", lambda: "fresh") == "fresh"


def test_no_sharing_with_a_zero_lifetime() -> None:
    session = ExpiringSession(client=None, lifetime=0)
    assert [session.cached("k", lambda n=n: n) for n in range(3)] == [0, 1, 2]


# -- the diff -----------------------------------------------------------------------------

BOOK = Properties(BookType())
OLD_BOOK = {"title": "Dune", "shelf": "sf", "pages": 412.0, "managed_fields": ["pages", "shelf"]}


def test_a_same_key_immutable_change_deletes_before_replacing() -> None:
    change = diff(BOOK, {**OLD_BOOK, "isbn": "1"}, {"title": "Dune", "shelf": "sf", "isbn": "2"})
    assert (change.replaces, change.delete_before_replace) == (("isbn",), True)


def test_a_new_natural_key_is_a_replacement_created_first() -> None:
    change = diff(BOOK, OLD_BOOK, {"title": "Dune Messiah", "shelf": "sf", "pages": 412})
    assert (change.replaces, change.delete_before_replace) == (("title",), False)


def test_a_new_key_keeping_a_unique_value_deletes_the_old_object_first() -> None:
    templates = Properties(SERVICES["luxsci"].type_named("templates"))
    old = {"owner": "ann@example.com", "name": "Monthly", "code_word": "monthly"}
    old_outputs = {**old, "managed_fields": ["code_word"]}
    renamed = {**old, "name": "Monthly news"}
    change = diff(templates, old_outputs, renamed)
    assert (change.replaces, change.delete_before_replace) == (("name",), True)
    recoded = {**renamed, "code_word": "news"}
    assert diff(templates, old_outputs, recoded).delete_before_replace is False
    # A declared rename renames the old template in place: it must not be deleted first.
    declared_rename = {**renamed, "renamed_from": "Monthly"}
    assert diff(templates, old_outputs, declared_rename).delete_before_replace is False


def test_numbers_compare_by_value_and_undeclared_fields_are_ignored() -> None:
    same = diff(BOOK, {**OLD_BOOK, "isbn": "9"}, {"title": "Dune", "shelf": "sf", "pages": 412})
    assert not same.changes
    grown = diff(BOOK, OLD_BOOK, {"title": "Dune", "shelf": "sf", "pages": 413})
    assert grown.changed == ("pages",) and not grown.replaces


def test_unknown_values_count_as_changes() -> None:
    change = diff(BOOK, OLD_BOOK, {"title": "Dune", "shelf": "sf", "pages": Unknown()})
    assert change.changed == ("pages",)
    keyed = diff(BOOK, OLD_BOOK, {"title": Unknown(), "shelf": "sf", "pages": 412})
    assert keyed.replaces == ("title",)


def test_declaring_or_dropping_a_field_is_a_change() -> None:
    dropped = diff(BOOK, OLD_BOOK, {"title": "Dune", "shelf": "sf"})
    assert dropped.changes and dropped.managed_changed and not dropped.changed


def test_what_the_api_cannot_do_fails_the_preview() -> None:
    fields = Properties(LUXSCI.type_named("custom_fields"))
    old = {"owner": "a@b.com", "code_word": "x", "name": "X", "managed_fields": ["name"]}
    reason = refusal(fields, old, {"owner": "a@b.com", "code_word": "x", "name": "Y"})
    assert reason is not None and "name cannot be changed in place" in reason
    servers = Properties(LUXSCI.type_named("servers"))
    renamed = diff(servers, {"host": "rs1", "rate": 5}, {"host": "rs2", "rate": 5})
    assert renamed.replaces == ("host",)  # another server: adopt it, release the old one
    lists = Properties(LIANAMAILER.type_named("lists"))
    old = {"name": "Segment", "cem_segment": 12, "managed_fields": ["cem_segment"]}
    reason = refusal(lists, old, {"name": "Segment", "cem_segment": None})
    assert reason is not None and "cannot take a list off its CEM segment" in reason
    assert diff(lists, old, {"name": "Segment", "cem_segment": 13}).changed == ("cem_segment",)


def test_a_version_bump_rotates_every_declared_write_only_field() -> None:
    users = Properties(LUXSCI.type_named("users"))
    old = {
        "user": "a@b.com",
        "password_version": 1.0,
        "managed_fields": ["password", "password_version"],
    }
    news = {"user": "a@b.com", "password": "x", "password_version": 2}
    assert diff(users, old, news).rotate == ("password", "password_version")
    assert not diff(users, old, {**news, "password_version": 1}).changes


# -- resource classes, stub and import ----------------------------------------------------


def test_each_luxsci_type_has_a_resource_class_with_its_token_and_arguments() -> None:
    for object_type in LUXSCI.object_types:
        cls = RESOURCES["luxsci"][object_type.title]
        assert cls._resource_type_name == f"dynamic/luxsci:{object_type.title}"
        keywords = [
            p.name
            for p in inspect.signature(cls).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        model_fields = [name for name in object_type.model.model_fields if name != "protected"]
        assert keywords == [*model_fields, "adopt", "declared_at"]
        assert cls.__module__ == "mailform.luxsci"
        assert getattr(mailform.luxsci, object_type.title) is cls


def test_unknown_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="unexpected arguments colour; allowed: action, alias"):
        RESOURCES["luxsci"]["Alias"]("x", alias="a@b.com", colour="red")


@pytest.mark.parametrize("service", ["luxsci", "lianamailer"])
def test_the_stub_matches_the_resource_classes(service: str) -> None:
    path = stub_path(service)
    assert path.read_text(encoding="utf-8") == render(service), (
        "run: python -m mailform.pulumi.stubs"
    )
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert classes == set(RESOURCES[service])


def test_the_cli_side_never_imports_pulumi() -> None:
    code = (
        "import sys, mailform.cli.main, mailform.services.luxsci.service, mailform.services\n"
        "assert 'pulumi' not in sys.modules\n"
        "from mailform.luxsci import Alias\n"
        "from mailform.lianamailer import Site\n"
        "assert 'pulumi' in sys.modules and Alias.__name__ == 'Alias'\n"
        "assert Site.__name__ == 'Site'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
