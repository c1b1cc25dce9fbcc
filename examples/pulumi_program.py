"""A hand-written Pulumi program: part of the account of ``stacks/dev.yaml``, in Python.

Each resource takes other resources' outputs as inputs (``domain.domain``, ``ann.user``),
so Pulumi knows the order without being told: domains before their DKIM, aliases and
users; the owner before its marketing assets; a list group and custom fields before the
list; a LianaMailer site before the consent types and lists it offers. To use it, make it
the program (``main: examples/pulumi_program.py`` in ``Pulumi.yaml``, or copy it to
``__main__.py``) and set the secret it reads:

    pulumi config set --secret bobPassword '...'

The credentials come from the stack config (``luxsci:apiToken``…, ``lianamailer:apiSecret``…)
or the environment, as for the YAML-driven program; see docs/pulumi.md.
"""

import pulumi

from mailform.lianamailer import ConsentType, MailingList, Property, Site
from mailform.luxsci import (
    Alias,
    BounceDomain,
    ContentTag,
    CustomField,
    Dkim,
    Domain,
    EmailTemplate,
    ListGroup,
    MarketingList,
    ServerSendingRate,
    TemplateGroup,
    User,
)

config = pulumi.Config()

example = Domain("example.com", domain="example.com", opts=pulumi.ResourceOptions(protect=True))
news = Domain("news.example.com", domain="news.example.com")
news_dkim = Dkim("news.example.com", domain=news.domain)
BounceDomain(
    "bounce.news.example.com",
    bounce_domain=news.domain.apply(lambda name: f"bounce.{name}"),
    from_domain=news_dkim.domain,  # the DKIM output: the bounce domain waits for DKIM
)

ann = User("ann@example.com", user=example.domain.apply(lambda d: f"ann@{d}"), name="Ann Example")
bob = User(
    "bob@example.com",
    user=example.domain.apply(lambda d: f"bob@{d}"),
    name="Bob Example",
    password=config.require_secret("bobPassword"),
    password_version=1,  # bump to set the password again
)
Alias(
    "sales@example.com",
    alias=example.domain.apply(lambda d: f"sales@{d}"),
    dest=[ann.user, bob.user],
)
ServerSendingRate("rs101", host="rs101", rate=2000, auto_warmup=True)

# Secure Marketing assets, owned by Ann.
first_name = CustomField(
    "first_name", owner=ann.user, code_word="first_name", name="First name", type="text"
)
newsletters = TemplateGroup("Newsletters", owner=ann.user, name="Newsletters")
EmailTemplate(
    "Monthly newsletter",
    owner=ann.user,
    name="Monthly newsletter",
    code_word="monthly",
    group=newsletters.name,
    subject="News from Example",
    body_html="<p>Hello {first_name}</p>",
)
ContentTag("footer", owner=ann.user, code_word="footer", name="Footer", content="Example Inc.")
customers = ListGroup("Customers", owner=ann.user, name="Customers")
MarketingList(
    "Customers EU",
    owner=ann.user,
    name="Customers EU",
    group=customers.name,
    from_email=news.domain.apply(lambda d: f"news@{d}"),
    from_name="Example News",
    custom_fields=[first_name.code_word],
)

# LianaMailer: a subscription site, the properties its pages ask for, a consent type it
# offers, and the lists recipients join there.
join = Site("join.example.com", domain="join.example.com", language="EN", ssl=True)
Property("firstname", name="firstname", type="text", subscription=True, position=1)
plan = Property(
    "plan", name="plan", type="select", choices=["free", "pro"], subscription=True, position=2
)
ConsentType("Newsletter", name="Newsletter", is_revokable=True, sites=[join.domain])
newsletter = MailingList(
    "Newsletter EN",
    name="Newsletter EN",
    description="Monthly news in English",
    self_service=True,
    site=join.domain,
)
MailingList(
    "Pro customers",
    name="Pro customers",
    description="Everyone on the pro plan",
    condition={  # a dynamic list: membership follows the property (and waits for it)
        "conditions": [{"name": plan.name, "condition": "=", "value": "pro"}],
        "enabled": True,
    },
)

pulumi.export("newsletter_list_id", newsletter.list_id)
pulumi.export("dkim_record", {"name": news_dkim.dns_name, "value": news_dkim.dns_value})
