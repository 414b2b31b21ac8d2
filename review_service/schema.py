"""The whole schema: every domain's models, in one explicit list.

It sits in the top layer because it names every domain. Only ``migrations/env.py`` (so that Alembic
sees the whole metadata) and the tests import it; importing it loads every model.
"""

from __future__ import annotations

from review_service.accountability import models as _accountability  # noqa: F401
from review_service.assist import models as _assist  # noqa: F401
from review_service.assist import push_models as _assist_pushes  # noqa: F401
from review_service.audit import checkpoint_models as _checkpoints  # noqa: F401
from review_service.audit import models as _audit  # noqa: F401
from review_service.calendar import models as _calendar  # noqa: F401
from review_service.cases import models as _cases  # noqa: F401
from review_service.cases import suspension_models as _suspensions  # noqa: F401
from review_service.catalog import models as _catalog  # noqa: F401
from review_service.coordination import models as _coordination  # noqa: F401
from review_service.deadlines import models as _deadlines  # noqa: F401
from review_service.decisions import models as _decisions  # noqa: F401
from review_service.decisions import publicity_models as _publicity  # noqa: F401
from review_service.discretion import models as _discretion  # noqa: F401
from review_service.documents import models as _documents  # noqa: F401
from review_service.indicators import models as _indicators  # noqa: F401
from review_service.laws import models as _laws  # noqa: F401
from review_service.notifications import models as _notifications  # noqa: F401
from review_service.organization import models as _organization  # noqa: F401
from review_service.paths import models as _paths  # noqa: F401
from review_service.review import models as _review  # noqa: F401
from review_service.workflow import models as _workflow  # noqa: F401


def import_all_models() -> None:
    """Every domain's models are imported (above, an explicit list): ``Base.metadata`` knows every table."""

