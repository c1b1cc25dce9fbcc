"""A miniature ``pulumi up`` of ``stacks/dev.yaml``: the real program, through the SDK, each
registration forwarded to the real plugin (``MiniEngine``) against the sandbox. The stack
converges, a second ``up`` and a drift check find nothing to do, and outputs flow back to
the program (the DKIM records as stack outputs)."""

from __future__ import annotations

from mailform.engine.stack import load_stack
from mailform.pulumi.program import register
from mailform.services import catalog
from tests.accounts import REPO, Account
from tests.pulumi.engine import MiniEngine, strip_secrets
from tests.pulumi.programs import run_program

#: What the account has before the first ``up``: the dedicated server (which only LuxSci
#: can provision) and a user the stack adopts as it is.
EXISTING = """
luxsci:
  domains: [{domain: example.com}]
  users: [{user: ann@example.com, name: Ann Example}]
sandbox:
  luxsci:
    servers: [{host: rs101, server_id: 197101}]
"""


def test_the_dev_stack_converges_and_then_has_nothing_to_do(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(EXISTING)
    stack = load_stack(REPO / "stacks" / "dev.yaml", catalog())
    environ = {"BOB_PASSWORD": "bob-Secret-9"}

    first = run_program(lambda: register(stack, environ=environ), engine=engine)
    assert len(first) == len(stack.objects) == len(engine.state)
    live = account.state()["luxsci"]
    assert set(live["aliases"]) == {"sales@example.com", "info@news.example.com"}
    assert live["servers"]["rs101"]["sending_rate"] == 2000
    dkim = next(s for s in engine.state.values() if s.type.endswith(":Dkim"))
    assert strip_secrets(dkim.outputs)["dns_value"].startswith("v=DKIM1")

    ops: list[str] = []
    original_up = engine.up

    def recording_up(*args: object, **kwargs: object) -> object:
        step = original_up(*args, **kwargs)  # type: ignore[arg-type]
        ops.append(step.op)
        return step

    engine.up = recording_up  # type: ignore[method-assign]
    run_program(lambda: register(stack, environ=environ), engine=engine)
    assert set(ops) == {"same"}

    drift = [engine.refresh(urn, preview=True).op for urn in list(engine.state)]
    assert set(drift) == {"same"}
