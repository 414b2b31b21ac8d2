"""The organization pages: the web edge of review_service.organization."""
