"""Tests for mailform.stackfile (a package so test module names stay unique)."""
