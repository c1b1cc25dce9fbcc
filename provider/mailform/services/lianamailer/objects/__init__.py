"""One module per LianaMailer object type.

Each module holds everything mailform assumes about its type's calls (call names, positional
arguments, answer fields; see ``docs/api-assumptions.md``, "LianaMailer") in one ``*Api``
class, so that whoever obtains the OpenAPI file can correct an assumption in one edit.
"""
