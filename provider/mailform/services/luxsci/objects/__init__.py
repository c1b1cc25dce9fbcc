"""One module per LuxSci object type, on the generic REST mapping (``rest.py``).

A type's module states everything mailform assumes about its part of the API (paths in its
``Endpoint``, the body and answer field names in ``wire_fields`` and its row hooks; see
``docs/api-assumptions.md``), so that a user with a real account corrects an assumption in
one place; the HTTP methods are the generic mapping's, the same for every type.
"""
