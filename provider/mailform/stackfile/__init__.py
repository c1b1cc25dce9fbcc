"""The stack-file layer: YAML with line context, secret references, validation, problems.

Service-agnostic: it knows nothing about LuxSci or LianaMailer object types. Those are
pydantic models defined by each service and passed in. The flow for one file:

    problems = Problems()
    source = load_yaml("stacks/prod.yaml")
    problems.extend(source.problems)
    aliases, found = validate_objects(
        source.data["luxsci"]["aliases"], Alias, ("luxsci", "aliases"), source
    )
    problems.extend(found)
    problems.extend(check_unique(aliases, lambda alias: alias.alias, "alias", source))
    problems.raise_if_any()   # one StackFileError listing every problem, sorted by line

Every problem names the file, line, column and field, and what is allowed.
"""

from mailform.stackfile.problems import (
    FieldPath,
    Location,
    Problem,
    Problems,
    StackFileError,
    format_path,
)
from mailform.stackfile.secrets import (
    REDACTED,
    MissingSecretError,
    SecretRef,
)
from mailform.stackfile.source import YamlSource, load_yaml, parse_yaml
from mailform.stackfile.validation import Validated, check_unique, validate_objects

__all__ = [
    "REDACTED",
    "FieldPath",
    "Location",
    "MissingSecretError",
    "Problem",
    "Problems",
    "SecretRef",
    "StackFileError",
    "Validated",
    "YamlSource",
    "check_unique",
    "format_path",
    "load_yaml",
    "parse_yaml",
    "validate_objects",
]
