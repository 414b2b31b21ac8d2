"""checkpoint exports: each copy of a signed checkpoint sent outside the database, and its outcome

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00.000000

``checkpoint_exports`` (issue 15, point 11): after a checkpoint's transaction commits it is
written to the configured witness folder and/or piped to a command; every attempt is appended
here (target, destination, ok, detail). A record: UPDATE and DELETE are refused like the other
records. A new table, so ``audit_checkpoints`` keeps its triggers (no rebuild on SQLite).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

TABLE = 'checkpoint_exports'


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkpoint_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=10), nullable=False),
        sa.Column('destination', sa.Text(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target IN ('folder', 'command')", name=op.f('ck_checkpoint_exports_target_known')),
        sa.ForeignKeyConstraint(['checkpoint_id'], ['audit_checkpoints.id'],
                                name=op.f('fk_checkpoint_exports_checkpoint_id_audit_checkpoints')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoint_exports')),
    )
    op.create_index(op.f('ix_checkpoint_exports_checkpoint_id'), TABLE, ['checkpoint_id'])
    # the SQL is kept here, not imported: migrations stay as written
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{TABLE} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def downgrade() -> None:
    op.drop_index(op.f('ix_checkpoint_exports_checkpoint_id'), table_name=TABLE)
    op.drop_table(TABLE)
