"""The review pages: the web edge of review_service.review."""
