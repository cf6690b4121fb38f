"""Disclosure control: the only code that turns computed aggregates into released results."""
