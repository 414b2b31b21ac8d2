"""The replies pages: the web edge of review_service.replies."""
