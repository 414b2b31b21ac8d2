"""Accountability (责任追究, DESIGN.md §10): inquiries into revoked decisions and findings per person."""
