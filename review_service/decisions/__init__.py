"""decisions domain."""
