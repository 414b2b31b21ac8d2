"""Coordination by the agency head when the unit disputes an opinion (协调机制, 集体讨论)."""
