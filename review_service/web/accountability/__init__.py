"""The accountability pages: the web edge of review_service.accountability."""
