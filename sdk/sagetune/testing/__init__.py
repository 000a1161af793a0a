"""Test helpers for applications that use sagetune (pytest plugin, cassettes)."""
