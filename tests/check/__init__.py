"""Tests of `scaffold check`."""
