"""Shared plumbing: database, signals, errors, permissions, clock."""
