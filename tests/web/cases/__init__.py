"""Tests of the cases pages (review_service/web/cases)."""
