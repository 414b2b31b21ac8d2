"""The indicators pages: the web edge of review_service.indicators."""
