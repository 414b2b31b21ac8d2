"""The catalog pages: the web edge of review_service.catalog."""
