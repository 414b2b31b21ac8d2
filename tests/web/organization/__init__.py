"""Tests of the organization pages (review_service/web/organization)."""
