"""The database schema beyond plain tables: triggers and grants each domain needs.

Both Alembic migrations and the test fixtures call :func:`install_extra_ddl`
so that the guarantees the database itself enforces (audit append-only, the
decision gate) exist wherever the schema exists.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection


def install_extra_ddl(connection: Connection) -> None:
    """Create triggers on the current dialect (SQLite or PostgreSQL); idempotent."""
    from review_service.audit import ddl as audit_ddl
    from review_service.decisions import ddl as decisions_ddl

    audit_ddl.install(connection)
    decisions_ddl.install(connection)


def import_all_models() -> None:
    """Import every domain's models so ``Base.metadata`` knows every table (explicit list)."""
    from review_service.accountability import models as _accountability  # noqa: F401
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
    from review_service.documents import models as _documents  # noqa: F401
    from review_service.indicators import models as _indicators  # noqa: F401
    from review_service.notifications import models as _notifications  # noqa: F401
    from review_service.organization import models as _organization  # noqa: F401
    from review_service.paths import models as _paths  # noqa: F401
    from review_service.review import models as _review  # noqa: F401
    from review_service.workflow import models as _workflow  # noqa: F401
