"""Tests of the coordination pages (review_service/web/coordination)."""
