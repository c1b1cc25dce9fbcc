"""Under the real CLI, ``pulumi preview`` refuses what the API would refuse or what would
destroy data nobody allowed, naming the object and the way out, and changes nothing."""

from __future__ import annotations

from tests.accounts import Account
from tests.e2e.project import PulumiProject
from tests.e2e.test_dev_stack import SERVER


def test_preview_refuses_what_up_could_not_do(project: PulumiProject, account: Account) -> None:
    account.seed(SERVER)
    project.init_stack("dev", rateLimit="0")
    project.up()
    before = account.state()
    original = project.stack_file.read_text(encoding="utf-8")

    cases = {
        # a custom field cannot be changed through the API
        "{owner: ann@example.com, code_word: plan, name: Plan, type: text}": (
            "{owner: ann@example.com, code_word: plan, name: Tier, type: text}",
            "name cannot be changed in place",
        ),
        # a LianaMailer property's type: a replacement that loses every recipient's value
        "{name: firstname, type: text, subscription: true, position: 1}": (
            "{name: firstname, type: numeric, subscription: true, position: 1}",
            "destroys every recipient's value of it; add properties to the stack config "
            "lianamailer:allowDestructive",
        ),
        # a property's position: never worth its values, and the API cannot change it
        "{name: plan, type: select, choices: [free, pro], subscription: true, position: 2}": (
            "{name: plan, type: select, choices: [free, pro], subscription: true, position: 3}",
            "the API cannot change a property's position in place",
        ),
    }
    for old, (new, reason) in cases.items():
        assert old in original
        project.stack_file.write_text(original.replace(old, new), encoding="utf-8")
        refused = project.preview(expect=None)
        assert refused.code != 0, new
        assert reason in refused.output, refused.output
    assert account.state()["luxsci"] == before["luxsci"]
    assert account.state()["lianamailer"] == before["lianamailer"]
