"""semantics package."""
