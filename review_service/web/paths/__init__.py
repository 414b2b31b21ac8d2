"""The paths pages: the web edge of review_service.paths."""
