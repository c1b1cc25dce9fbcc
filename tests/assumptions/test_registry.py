"""The registry of API assumptions: one id per assumption, every object type's rows derived
from its description, the docs' tables generated from it, and the code naming what it
relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import mailform
from mailform.assumptions import SERVICE_NAMES, all_assumptions, checklist
from mailform.assumptions import lianamailer as liana_assumptions
from mailform.assumptions import luxsci as luxsci_assumptions
from mailform.assumptions.base import ID, Assumption, named_ids
from mailform.assumptions.docs import with_tables
from mailform.services import SERVICES
from mailform.services.luxsci.objects.owned import Owned, OwnedType
from mailform.services.luxsci.objects.rest import Endpoint

REPO = Path(__file__).parents[2]
PAGE = REPO / "docs" / "api-assumptions.md"
PACKAGE = Path(mailform.__file__).parent


def test_every_assumption_has_one_well_formed_id_of_its_service() -> None:
    assumptions = all_assumptions()
    ids = [a.id for a in assumptions]
    assert len(ids) == len(set(ids))
    for assumption in assumptions:
        assert ID.fullmatch(assumption.id)
        assert assumption.id.startswith(f"{assumption.service}.")
        assert assumption.service in SERVICE_NAMES
        assert assumption.statement or assumption.call, assumption.id
        assert assumption.evidence, assumption.id


def test_what_no_read_can_show_says_how_to_check_it_by_hand() -> None:
    by_hand = [a for a in all_assumptions() if not a.checkable]
    assert by_hand
    assert all(a.manual for a in by_hand)
    with pytest.raises(ValueError, match="manual"):
        Assumption("luxsci.made.up", "luxsci", "transport", "topic", "statement", "INF")


def test_every_object_type_has_list_and_fields_rows_and_a_get_where_the_api_has_one() -> None:
    ids = {a.id for a in all_assumptions()}
    for service in SERVICES.values():
        for object_type in service.object_types:
            prefix = f"{service.name}.{object_type.name}"
            assert {f"{prefix}.list", f"{prefix}.fields"} <= ids
            detail = getattr(object_type, "endpoint", None)
            has_detail = detail.detail if detail else bool(object_type.calls.detail)
            assert (f"{prefix}.get" in ids) == has_detail, prefix


def test_a_transport_id_is_never_taken_for_an_object_types() -> None:
    for service in SERVICES.values():
        types = {t.name for t in service.object_types}
        for assumption in checklist(service.name).assumptions:
            second = assumption.id.split(".")[1]
            assert (assumption.section == "transport") == (second not in types), assumption.id


def test_a_new_object_type_brings_its_assumptions() -> None:
    class Coupon(Owned):
        """A made-up user-scope type."""

        code: str

    class CouponType(OwnedType[Coupon]):
        name = "coupons"
        key_fields = ("owner", "code")
        endpoint = Endpoint("user", "coupons", id_field="coupon_id", detail=True)
        wire_fields = ("code",)

    rows = {a.id: a for a in luxsci_assumptions.type_assumptions(CouponType())}
    assert set(rows) == {
        "luxsci.coupons.list",
        "luxsci.coupons.fields",
        "luxsci.coupons.get",
        "luxsci.coupons.create",
        "luxsci.coupons.update",
        "luxsci.coupons.delete",
    }
    assert rows["luxsci.coupons.list"].call == "`GET /user/{login}/coupons`"
    assert rows["luxsci.coupons.fields"].statement == "rows carry `coupon_id`, `code`"
    assert rows["luxsci.coupons.create"].evidence == "INF"  # no notes yet: our inference
    assert not rows["luxsci.coupons.create"].checkable


def test_the_docs_tables_are_what_the_registry_makes() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert with_tables(page) == page, (
        "docs/api-assumptions.md is out of date: run "
        ".venv/bin/python -m mailform.assumptions.docs docs/api-assumptions.md"
    )
    for assumption in all_assumptions():
        assert page.count(f"| `{assumption.id}` |") == 1, assumption.id


def test_a_table_the_registry_lacks_or_a_section_the_page_lacks_is_an_error() -> None:
    page = PAGE.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="registry has none"):
        with_tables(page + "\n<!-- assumptions: luxsci.coupons -->\n<!-- /assumptions -->\n")
    without = page.replace("<!-- assumptions: luxsci.dkim -->", "<!-- removed -->")
    with pytest.raises(ValueError, match=r"luxsci\.dkim"):
        with_tables(without)


def _named_in_code() -> dict[str, list[str]]:
    named: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "assumptions" in path.relative_to(PACKAGE).parts:
            continue
        for name in named_ids(path.read_text(encoding="utf-8")):
            named.setdefault(name, []).append(str(path.relative_to(PACKAGE)))
    return named


def test_the_code_names_only_registered_assumptions_and_every_transport_one() -> None:
    named = _named_in_code()
    registered = {a.id for a in all_assumptions()}
    assert set(named) - registered == set()
    transport = {a.id for a in all_assumptions() if a.section == "transport"}
    assert sorted(transport - set(named)) == []


def test_the_checks_use_the_clients_own_constants() -> None:
    from mailform.services.lianamailer import client as liana_client
    from mailform.services.luxsci import client as luxsci_client

    statements: dict[str, Any] = {a.id: a.statement for a in all_assumptions()}
    assert luxsci_client.API_PREFIX in statements["luxsci.base_path"]
    assert str(luxsci_client.REPORT_PAGE_SIZE) in statements["luxsci.reports.paging"]
    assert str(luxsci_client.DEFAULT_RATE_PER_MINUTE) in statements["luxsci.rate_limit"]
    assert liana_client.V1_PREFIX in statements["lianamailer.base_url"]
    assert liana_assumptions.read_calls() >= {"sites", "getMailingLists", "getSite"}
