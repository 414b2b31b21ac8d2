"""The decisions pages: the web edge of review_service.decisions."""
