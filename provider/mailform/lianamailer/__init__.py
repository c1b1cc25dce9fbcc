"""The LianaMailer Pulumi resources, where programs import them:
``from mailform.lianamailer import Site, Property, MailingList`` (needs the ``pulumi`` extra).

The classes are made in the Pulumi layer from the object-type descriptions
(``mailform.pulumi.resources``); this package only gives them the import path users write.
The CLI never imports it, so it never needs pulumi. ``__init__.pyi`` beside it gives editors
and type checkers the typed signatures (``python -m mailform.pulumi.stubs`` writes it).
"""

from mailform import extras

if not extras.installed("pulumi"):
    raise ImportError(extras.hint("pulumi", "mailform.lianamailer"))

from mailform.pulumi.resources import RESOURCES

globals().update(RESOURCES["lianamailer"])
__all__ = sorted(RESOURCES["lianamailer"])
