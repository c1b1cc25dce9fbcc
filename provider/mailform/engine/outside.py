"""What a plan needs to know from outside the service's API: DNS, for now.

Some rules depend on the world rather than on the account: LuxSci creates a custom bounce
domain only once the domain's CNAME to one of its targets is published. A plan that did not
look would pass and then fail at apply, so the plan asks DNS (the object type says what, in
``ObjectType.outside_problems``), through the resolver an option names (``--dns HOST[:PORT]``,
``MAILFORM_DNS``; under Pulumi ``luxsci:dns``), or the system's.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailform.engine.plan import Action, Plan, PlanProblem


class OutsideUnknown(Exception):
    """The outside world could not be asked (DNS did not answer)."""


@dataclass(frozen=True)
class Dns:
    """A DNS resolver: ``nameservers`` (none: the system's) on ``port``."""

    nameservers: tuple[str, ...] = ()
    port: int = 53
    timeout: float = 3.0

    @classmethod
    def parse(cls, text: str | None) -> Dns:
        """``HOST[:PORT]`` (a nameserver, as an option gives it; an IPv6 address with a port
        in brackets, as in a URL: ``[::1]:5353``); empty: the system's."""
        if not text:
            return cls()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = rest.removeprefix(":")
            return cls((host,), int(port)) if port.isdigit() else cls((host,))
        host, colon, port = text.rpartition(":")
        if colon and text.count(":") == 1 and port.isdigit():
            return cls((host,), int(port))
        return cls((text,))

    def cname(self, name: str) -> str | None:
        """The target of ``name``'s CNAME record (no final dot), or None when it has none;
        raises ``OutsideUnknown`` when DNS does not answer."""
        # Imported here: dnspython is slow to import, and only a plan with a create that
        # depends on DNS asks it anything.
        import dns.exception
        import dns.resolver

        resolver = dns.resolver.Resolver(configure=not self.nameservers)
        if self.nameservers:
            resolver.nameservers = list(self.nameservers)
        resolver.port = self.port
        resolver.lifetime = self.timeout
        try:
            answer = resolver.resolve(name, "CNAME")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except (dns.exception.DNSException, OSError) as error:
            raise OutsideUnknown(f"DNS did not answer for {name} ({error})") from None
        return str(answer[0].target).rstrip(".").lower()


def check_outside(plan: Plan, dns: Dns) -> None:
    """Add to ``plan`` the problems the world outside the API has with its creates (each
    type's ``outside_problems``), and drop those creates."""
    refused = set()
    for change in plan.changes:
        if change.action != Action.CREATE or change.declared is None:
            continue
        for message in change.object_type.outside_problems(change.declared, dns):
            plan.problems.append(PlanProblem(change.id, message, change.location))
            refused.add(change.id)
    if refused:
        plan.changes = [change for change in plan.changes if change.id not in refused]
