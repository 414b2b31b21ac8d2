"""The pages of the clocks (issue 19): approving a review extension, the art. 60 limit's extensions and excluded
periods. The services are ``deadlines.operations`` and ``deadlines.limit_operations``; the panel is
``web/cases/deadline_panel.py``."""
