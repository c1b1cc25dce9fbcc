"""The report's renderings: markdown for an issue (the registry's code spans kept, a
server's words escaped), JSON for tools (values only when asked)."""

from __future__ import annotations

import json

from mailform.assumptions.base import Assumption, Finding, Status
from mailform.doctor import Report, Result, ServiceReport
from mailform.doctor.render import render_json, render_markdown

AUTH = Assumption(
    "luxsci.auth.request",
    "luxsci",
    "transport",
    "auth request",
    "answer `<id>-<unix>`",
    "CODE",
    manual="do it by hand",
)


def report(seen: str, status: Status = Status.CONTRADICTED) -> Report:
    finding = Finding(status, seen, (("keys", ["auth", "success"]),))
    service = ServiceReport("luxsci", "the sandbox", (Result(AUTH, finding),), {"POST": 1})
    return Report((service,))


def test_markdown_keeps_our_code_spans_and_escapes_what_a_server_said() -> None:
    text = render_markdown(report('HTTP 400 ("<script>x</script> | y")'))
    assert "### Contradicted (1)" in text
    assert "answer `<id>-<unix>`" in text
    assert "&lt;script&gt;x&lt;/script&gt; \\| y" in text
    assert '"success"' not in text  # values only when asked
    assert '"success"' in render_markdown(report("x"), show_values=True)


def test_json_says_the_exit_code_and_holds_values_only_when_asked() -> None:
    document = json.loads(render_json(report("seen")))
    assert document["exit_code"] == 2
    assert document["summary"]["contradicted"] == 1
    [entry] = document["services"][0]["assumptions"]
    assert entry["id"] == "luxsci.auth.request" and entry["seen"] == "seen"
    assert "values" not in entry
    shown = json.loads(render_json(report("seen"), show_values=True))
    assert shown["services"][0]["assumptions"][0]["values"] == {"keys": ["auth", "success"]}
    by_hand = json.loads(render_json(report("do it by hand", Status.NOT_CHECKABLE)))
    entry = by_hand["services"][0]["assumptions"][0]
    assert entry["seen"] is None and entry["how_to_check"] == "do it by hand"
