"""Tests of the paths pages (review_service/web/paths)."""
