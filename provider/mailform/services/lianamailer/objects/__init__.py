"""One module per LianaMailer object type, on the generic V1-call mapping (``calls.py``).

A type's module states everything mailform assumes about its calls (names in its ``Calls``,
positional arguments in ``create_args`` and its update, answer fields in ``wire_fields``;
see ``docs/api-assumptions.md``, "LianaMailer"), so that whoever obtains the OpenAPI file
corrects an assumption in one place.
"""
