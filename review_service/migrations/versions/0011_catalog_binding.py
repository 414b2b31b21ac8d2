"""catalogs bind to agencies their uploader administers; a narrowing version waits for the review lead's confirmation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 02:30:00.000000

``catalog_bindings`` names the agencies each catalog version applies to; ``catalogs.scope`` the agencies
within which it supersedes older versions of its id; ``status`` / ``diff`` / ``decided_*`` hold a narrowing
version's wait for the review lead. Existing versions stay active and are bound as follows: one loaded by
the operator (``loaded_by`` empty) to every agency its ``applies_to`` named then; one loaded by an admin only
to those of them the admin administers (their agency and the agencies below it).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_bindings',
    sa.Column('catalog_row_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('specificity', sa.Integer(), nullable=False),
    sa.CheckConstraint('specificity IN (0, 1)', name=op.f('ck_catalog_bindings_specificity_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_catalog_bindings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['catalog_row_id'], ['catalogs.id'],
                            name=op.f('fk_catalog_bindings_catalog_row_id_catalogs')),
    sa.PrimaryKeyConstraint('catalog_row_id', 'agency_id', name=op.f('pk_catalog_bindings'))
    )
    with op.batch_alter_table('catalog_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_bindings_agency_id'), ['agency_id'], unique=False)
    # Plain ALTER TABLE ADD COLUMN: on SQLite a batch rebuild of ``catalogs`` would drop a table that the
    # classifications reference while foreign keys are on.
    op.add_column('catalogs', sa.Column('status', sa.String(length=20), server_default='active', nullable=False))
    op.add_column('catalogs', sa.Column('scope', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('catalogs', sa.Column('diff', sa.JSON(), server_default='{}', nullable=False))
    op.add_column('catalogs', sa.Column('decided_by', sa.Integer(), nullable=True))
    op.add_column('catalogs', sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('catalogs', sa.Column('decision_note', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # no ADD CONSTRAINT there; a trigger holds the same rule
        for verb in ("INSERT", "UPDATE"):
            op.execute(f"CREATE TRIGGER catalogs_status_known_{verb.lower()} BEFORE {verb} ON catalogs "
                       "WHEN NEW.status NOT IN ('active','pending','refused') "
                       "BEGIN SELECT RAISE(ABORT, 'catalogs.status unknown'); END")
    else:
        op.create_check_constraint(op.f('ck_catalogs_status_known'), 'catalogs',
                                   "status IN ('active','pending','refused')")
    _bind_existing()


def _bind_existing() -> None:
    conn = op.get_bind()
    agencies = sa.table('agencies', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                        sa.column('parent_id', sa.Integer()), sa.column('system', sa.String()))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('agency_id', sa.Integer()))
    catalogs = sa.table('catalogs', sa.column('id', sa.Integer()), sa.column('applies_to', sa.JSON()),
                        sa.column('loaded_by', sa.Integer()), sa.column('scope', sa.JSON()),
                        sa.column('diff', sa.JSON()))
    bindings = sa.table('catalog_bindings', sa.column('catalog_row_id', sa.Integer()),
                        sa.column('agency_id', sa.Integer()), sa.column('specificity', sa.Integer()))
    rows = list(conn.execute(sa.select(agencies.c.id, agencies.c.name, agencies.c.parent_id, agencies.c.system)))
    children: dict[Any, list[int]] = {}
    for agency_id, _name, parent_id, _system in rows:
        children.setdefault(parent_id, []).append(agency_id)
    user_agency: dict[int, int] = dict(conn.execute(sa.select(users.c.id, users.c.agency_id)).tuples().all())

    def subtree(root: int) -> set[int]:
        found: set[int] = set()
        stack = [root]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children.get(current, []))
        return found

    for row_id, applies_to, loaded_by in conn.execute(
            sa.select(catalogs.c.id, catalogs.c.applies_to, catalogs.c.loaded_by)).all():
        applies = applies_to if isinstance(applies_to, dict) else {}
        named = set(applies.get('agencies') or [])
        systems = set(applies.get('systems') or [])
        allowed = subtree(user_agency[loaded_by]) if loaded_by in user_agency else {row[0] for row in rows}
        bound = {agency_id: (1 if name in named else 0) for agency_id, name, _parent, system in rows
                 if agency_id in allowed and (name in named or system in systems)}
        scope = sorted(allowed) if loaded_by in user_agency else sorted(bound)
        conn.execute(catalogs.update().where(catalogs.c.id == row_id).values(scope=scope, diff={}))
        for agency_id, specificity in sorted(bound.items()):
            conn.execute(bindings.insert().values(catalog_row_id=row_id, agency_id=agency_id,
                                                  specificity=specificity))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS catalogs_status_known_{verb}")
    else:
        op.drop_constraint(op.f('ck_catalogs_status_known'), 'catalogs', type_='check')
    for column in ('decision_note', 'decided_at', 'decided_by', 'diff', 'scope', 'status'):
        op.drop_column('catalogs', column)
    with op.batch_alter_table('catalog_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_bindings_agency_id'))
    op.drop_table('catalog_bindings')
