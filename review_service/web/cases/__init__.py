"""The cases pages: the web edge of review_service.cases."""
