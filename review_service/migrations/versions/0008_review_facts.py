"""facts of each opinion as columns of reviews, for the indicator report

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 21:20:00.000000

Adds to ``reviews`` the facts the indicator report counts (review_service.indicators.facts):
``points_written`` and ``problem_points`` (bit masks over the ten points, bit i = the i-th point of
DESIGN.md §7), ``advice_count`` (quality advice) and ``advisor_count`` (advisors named). Existing rows
are filled from their ``points``/``quality``/``advisor_ids`` JSON (reviews refuse UPDATE: the guard is
lifted for the backfill only). A covering index over the period column and the facts lets the report
count opinions without reading the rows (whose ten-point JSON spills into overflow pages on SQLite);
three more cover the statistics' per-opinion lookups (latest intake, submission, first reply).
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The ten points in their order (DESIGN.md §7), frozen here: the migration must not follow later code.
POINT_KEYS = ("subject_legality", "officer_qualification", "procedure_legality", "facts_clear",
              "evidence_sufficient", "law_application", "discretion_appropriate", "within_authority",
              "documents_complete", "criminal_transfer")
FACTS = ("points_written", "problem_points", "advice_count", "advisor_count")
INDEX = "ix_reviews_submitted_at_facts"
BATCH = 2000
# The review statistics look up, per opinion, the case's latest complete intake and submission and the
# opinion's first reply: covering indexes keep those lookups off the table rows.
LOOKUPS = (("ix_review_intakes_case_id_checked_at", "review_intakes", ["case_id", "checked_at", "complete"]),
           ("ix_submissions_case_id_submitted_at", "submissions", ["case_id", "submitted_at"]),
           ("ix_replies_review_id_submitted_at", "replies", ["review_id", "submitted_at"]))


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _written(value: Any) -> bool:
    return value is not None and len(str(value).strip(" ")) > 0


def _facts(points: Any, quality: Any, advisors: Any) -> tuple[int, int, int, int]:
    points, quality, advisors = _load(points) or {}, _load(quality) or [], _load(advisors) or []
    written = problems = 0
    for index, key in enumerate(POINT_KEYS):
        point = points.get(key) if isinstance(points, dict) else None
        if not isinstance(point, dict):
            continue
        if _written(point.get("opinion")) or _written(point.get("reason")):
            written |= 1 << index
        if point.get("finding") == "problem":
            problems |= 1 << index
    return written, problems, len(quality), len(advisors)


def upgrade() -> None:
    for name in FACTS:
        op.add_column('reviews', sa.Column(name, sa.Integer(), nullable=True))
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if bind.execute(sa.text("SELECT count(*) FROM reviews WHERE points_written IS NULL")).scalar():
        _backfill(bind, sqlite)
    op.create_index(INDEX, 'reviews', ['submitted_at', 'case_id', 'reviewer_id', 'round', 'conclusion', *FACTS])
    for name, table, columns in LOOKUPS:
        op.create_index(name, table, columns)


def _backfill(bind: Any, sqlite: bool) -> None:
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS reviews_no_update")
    else:
        op.execute("ALTER TABLE reviews DISABLE TRIGGER reviews_immutable")
    update = sa.text("UPDATE reviews SET points_written = :w, problem_points = :p, advice_count = :a, "
                     "advisor_count = :c WHERE id = :id")
    last = 0
    while True:
        rows = bind.execute(sa.text("SELECT id, points, quality, advisor_ids FROM reviews WHERE id > :last "
                                    "ORDER BY id LIMIT :n"), {"last": last, "n": BATCH}).all()
        if not rows:
            break
        values = []
        for row_id, points, quality, advisors in rows:
            written, problems, advice, advisor_count = _facts(points, quality, advisors)
            values.append({"id": row_id, "w": written, "p": problems, "a": advice, "c": advisor_count})
        bind.execute(update, values)
        last = rows[-1][0]
    if sqlite:  # the same guard as review_service.decisions.ddl installs
        op.execute("CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews "
                   "BEGIN SELECT RAISE(ABORT, 'reviews is immutable'); END")
    else:
        op.execute("ALTER TABLE reviews ENABLE TRIGGER reviews_immutable")


def downgrade() -> None:
    for name, table, _columns in reversed(LOOKUPS):
        op.drop_index(name, table_name=table)
    op.drop_index(INDEX, table_name='reviews')
    for name in reversed(FACTS):
        op.drop_column('reviews', name)
