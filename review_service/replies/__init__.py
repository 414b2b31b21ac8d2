"""replies domain."""
