"""The Pulumi commands of the CI recipes (``examples/ci/``), written as a user types them.

The end-to-end tests run exactly these lines (``PulumiProject.command``), and
``test_ci_recipes`` checks that every ``pulumi`` command a recipe runs is one of them: a
recipe never uses a command or flag that the tests have not run under the real CLI.
"""

from __future__ import annotations

#: The pull-request preview (``pulumi/actions`` with ``command: preview``, ``diff: true``).
PREVIEW = "pulumi preview --diff"
#: The apply on merge: read the live account first, so changes made by hand are put back.
UP = "pulumi up --refresh"
#: The nightly drift check: fails when a managed object changed or went away.
DRIFT = "pulumi refresh --preview-only --expect-no-changes --diff"

RECIPE_COMMANDS = frozenset({PREVIEW, UP, DRIFT})
