"""Cross-cutting tables of the portal."""
