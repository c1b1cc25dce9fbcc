"""LuxSci: the API client (signing, envelope) and one module per object type mailform manages
(``objects/``), described once for every surface. Nothing here imports Pulumi; the resource
classes users import as ``from mailform.luxsci import Alias`` live in ``mailform.pulumi``."""
