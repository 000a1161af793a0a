"""Small applications that use sagetune, tested in CI (see tests/examples/)."""
