"""the indicator summary takes in every decision that should have been reviewed (issue 19: (88), (90), (108))

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 19:30:00.000000

The summary gained a unit kind (``major_decision``: each decision of a case ever routed as major, with its
review facts). As 0009 foresaw, a change of what the summary holds empties its derived tables and sets the mark
back to 0 in plain SQL; the next catch-up (``tick``, every report) takes every case in again with today's code.
Nothing is lost: the summary is recomputed from the record (``review-service indicators rebuild`` does the same).
"""
from __future__ import annotations

from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _start_over() -> None:
    op.execute("DELETE FROM indicator_units")
    op.execute("DELETE FROM indicator_counts")
    op.execute("UPDATE indicator_summary_mark SET upto_seq = 0")


def upgrade() -> None:
    _start_over()


def downgrade() -> None:
    _start_over()  # the older code's summary is rebuilt the same way
