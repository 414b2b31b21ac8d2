"""The coordination pages: the web edge of review_service.coordination."""
