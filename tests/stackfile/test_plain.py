"""The quick build of a plain file (`mailform.stackfile.plain`) gives the careful build's
data and positions, leaves every other file to the careful build, and a position below an
object is still found, by building the file again, only when one is asked for."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mailform.stackfile import source
from mailform.stackfile.plain import LOCATED_DEPTH, NotPlain, build_plain
from mailform.stackfile.source import _parse_carefully, parse_yaml

KEYS = st.one_of(
    st.text(min_size=1, max_size=8),
    st.integers(-1000, 1000),
    st.sampled_from(["true", "null", "1.5", "0x1F", "yes", "~", "<<x", "é", "a: b"]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["true", "False", "null", "~", "0o17", "1e3", "2024-02-30", "yes", "-", ""]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, min_size=1, max_size=4)
    ),
    max_leaves=30,
)


def dumped(data: Any, flow: bool | None) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def quick(text: str) -> tuple[Any, dict[Any, tuple[int, int]]]:
    return build_plain(YAML(typ="safe").parse(text), YAML(typ="safe").constructor)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.sampled_from([None, True, False]))
def test_a_plain_file_builds_to_what_the_careful_build_gives(data: Any, flow: bool | None) -> None:
    text = dumped(data, flow)
    careful = _parse_carefully(text, "f.yaml")
    try:
        value, located = quick(text)
    except (NotPlain, YAMLError):
        assert careful.problems or careful.data is None  # only a file with something to say
        return
    assert not careful.problems
    assert value == careful.data
    assert located == {
        path: position for path, position in careful.positions.items() if len(path) <= LOCATED_DEPTH
    }


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "a: &x 1\nb: *x\n",
        "a: !custom 5\n",
        "a: 1\na: 2\n",
        "base: &b {x: 1}\nuse:\n  <<: *b\n",
        "a: 1\n---\nb: 2\n",
        "? [a, b]\n: 1\n",
        "a: .inf\n",
        "a: !!set {x}\n",
        'a: "\\ud800"\n',
        "a: [1, 2\n",
        "a: b: c\n",
    ],
)
def test_every_other_file_is_built_carefully(text: str) -> None:
    with pytest.raises((NotPlain, YAMLError)):
        quick(text)
    assert parse_yaml(text, "f.yaml") == _parse_carefully(text, "f.yaml")


def test_a_field_is_located_by_building_again_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "luxsci:\n  aliases:\n    - alias: a@example.com\n      dest:\n        - x@example.org\n"
    careful_builds = []
    real = source._parse_carefully

    def counted(text: str, file: str) -> source.YamlSource:
        careful_builds.append(file)
        return real(text, file)

    monkeypatch.setattr(source, "_parse_carefully", counted)
    parsed = parse_yaml(text, "stack.yaml")
    assert str(parsed.location(("luxsci", "aliases", 0))) == "stack.yaml:3:7"
    assert careful_builds == []  # an object's own place is known
    assert str(parsed.location(("luxsci", "aliases", 0, "dest", 0))) == "stack.yaml:5:11"
    assert str(parsed.location(("luxsci", "aliases", 0, "name"))) == "stack.yaml:3:7"
    assert careful_builds == ["stack.yaml"]  # once, for both


@pytest.mark.parametrize("text", ["a: !!str 5\n", "a: !!int '7'\n", "a: ! 5\n", "a: '1'\n"])
def test_a_scalar_of_an_explicit_core_tag_is_the_same_either_way(text: str) -> None:
    value, _ = quick(text)
    assert value == _parse_carefully(text, "f.yaml").data
