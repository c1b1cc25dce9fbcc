"""Tests for provider.stackfile (a package so test module names stay unique)."""
