"""LianaMailer: the API client (signed V1 calls) and one module per object type mailform
manages (``objects/``), described once for every surface. Nothing here imports Pulumi; the
resource classes users import as ``from mailform.lianamailer import Site`` live in
``mailform.pulumi``."""
