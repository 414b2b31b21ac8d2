"""coordination domain."""
