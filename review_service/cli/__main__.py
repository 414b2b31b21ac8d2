"""``python -m review_service.cli``: the same as the ``review-service`` command."""

import sys

from review_service.cli import main

sys.exit(main())
