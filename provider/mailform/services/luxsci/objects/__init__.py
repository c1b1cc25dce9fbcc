"""One module per LuxSci object type.

Each module holds everything mailform assumes about its type's part of the API (method,
path, body and answer field names; see ``docs/api-assumptions.md``) in one ``*Api`` class,
so that a user with a real account can correct an assumption in one edit.
"""
