"""The published JSON Schema and the CLI agree on what a stack file may say: an editor that
shows no error means ``mailform validate`` passes, and the other way round. Checked on the
examples, and on each of their list fields given as one value or as a mapping."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from mailform.engine.schema import stack_file_schema
from mailform.engine.stack import load_stack
from mailform.services import SERVICES, catalog
from mailform.stackfile import StackFileError
from mailform.stackfile.yamlout import dump_yaml

EXAMPLES = Path(__file__).parents[2] / "examples"
VALIDATOR = Draft202012Validator(stack_file_schema(SERVICES))


def _variants() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in ("accounts.yaml", "existing-account.yaml"):
        document = YAML(typ="safe").load((EXAMPLES / name).read_text())
        yield name, document
        for service, section in document.items():
            if service == "mailform" or not isinstance(section, dict):
                continue
            for type_name, objects in section.items():
                for index, obj in enumerate(objects or []):
                    for field, value in obj.items() if isinstance(obj, dict) else ():
                        if not isinstance(value, list) or not value:
                            continue
                        for label, replacement in (("one", value[0]), ("map", {"x": value[0]})):
                            changed = copy.deepcopy(document)
                            changed[service][type_name][index][field] = replacement
                            yield f"{name}:{type_name}[{index}].{field}={label}", changed


@pytest.mark.parametrize(("label", "document"), list(_variants()), ids=lambda v: str(v)[:60])
def test_the_schema_and_validate_agree(
    label: str, document: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "stack.yaml"
    path.write_text(dump_yaml(document), encoding="utf-8")
    schema_errors = [error.message for error in VALIDATOR.iter_errors(document)]
    try:
        load_stack(path, catalog())
        cli_errors: list[str] = []
    except StackFileError as error:
        cli_errors = [str(problem) for problem in error.problems]
    assert bool(schema_errors) == bool(cli_errors), (schema_errors, cli_errors)
