"""The Pulumi program (``pulumi up`` from the repository root): one resource per object that
``stacks/<stack>.yaml`` declares. See docs/pulumi.md."""

from mailform.pulumi.program import run

run()
