"""The LianaMailer Pulumi resources, where programs import them:
``from mailform.lianamailer import Site, Property, MailingList`` (needs the ``pulumi``
extra). They are made in the Pulumi layer (``mailform.pulumi.resources``); only programs
import this package, so the CLI never needs pulumi. ``__init__.pyi`` beside it types them
for editors.
"""

from mailform.pulumi import publish

__all__ = publish(globals(), "lianamailer")
