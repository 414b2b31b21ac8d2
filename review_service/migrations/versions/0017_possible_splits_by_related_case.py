"""possible splits: an index on ``related_case_id``, the other side of the pair

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 13:10:00.000000

Every case read shows the case's flags from either side of the pair
(``case_id = :id OR related_case_id = :id``). Only ``case_id`` had an index, so each read walked
the whole table: at 800 cases in review (15,810 flags, 20 per case) a case read took 3.3 ms
instead of 1.7 ms on SQLite. Measured with ``bench/http.py`` (README, Performance).
"""
from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_possible_splits_related_case_id'), 'possible_splits', ['related_case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_possible_splits_related_case_id'), table_name='possible_splits')
