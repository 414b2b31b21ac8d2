"""the indicator summary keeps each point's opinion text as a key (issue 19: (95)–(104))

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 20:00:00.000000

The summary gained ``point_text`` units (one per point of an opinion that is not the question restated, keyed
by a hash of its normalized text, so that the report finds boilerplate shared across cases:
``indicators/point_substance.py``). As 0009 foresaw, a change of what the summary holds empties its derived
tables and sets the mark back to 0 in plain SQL; the next catch-up takes every case in again.
"""
from __future__ import annotations

from alembic import op

revision = '0025'
down_revision = '0024'
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
