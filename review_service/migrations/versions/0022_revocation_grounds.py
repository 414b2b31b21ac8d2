"""revocation grounds: grounds and receipt of a revocation, the withdrawal's explanation, findings by ground

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 19:10:00.000000

``revocations``: ``reason`` gains ``changed`` (被变更) and ``confirmed_void`` (被确认无效); ``grounds`` (事实不清、
证据不足 … as codes, a JSON list, empty for earlier rows) and ``received_on`` (the day the agency received the
revoking decision: the withdrawal clock starts there). ``withdrawals.explanation``: the public explanation
(公开说明理由). ``accountability_inquiries``: the same reasons and the grounds. ``accountability_findings``: the
grounds a person answers for, responsibility, exemption, sanction, and the decision on the auditor's proposal
(``status`` proposed / decided / returned, ``decided_by``, ``decided_at``, ``decision_note``); earlier findings
become proposals awaiting a decision (issue 19, 118号 (十四)).

SQLite rebuilds ``revocations`` (a new CHECK), which drops its triggers: they come back as 0004 made them.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# frozen here: the migration must not follow later code
_REASONS_BEFORE = ('revoked', 'confirmed_illegal', 'ordered_remake')
_REASONS_AFTER = (*_REASONS_BEFORE, 'changed', 'confirmed_void')
_RESPONSIBILITIES = ('direct', 'leadership', 'none')
_EXEMPTIONS = ('false_materials', 'collective_decision', 'dissent_recorded', 'followed_opinion',
               'opinion_not_adopted', 'superior_order', 'unclear_law', 'force_majeure')
_SANCTIONS = ('none', 'criticism', 'written_self_criticism', 'circulated_criticism', 'retraining',
              'license_suspension', 'license_revocation', 'refer_discipline')


def _listed(values: tuple[str, ...]) -> str:
    return ",".join(f"'{value}'" for value in values)


_FINDING_CHECKS = {
    'responsibility_known': f"responsibility IS NULL OR responsibility IN ({_listed(_RESPONSIBILITIES)})",
    'exemption_known': f"exemption IS NULL OR exemption IN ({_listed(_EXEMPTIONS)})",
    'sanction_known': f"sanction IS NULL OR sanction IN ({_listed(_SANCTIONS)})",
    'status_known': "status IN ('proposed','decided','returned')",
    'decision_has_decider': "(status = 'proposed') = (decided_by IS NULL)",
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _reason_check(table: str, reasons: tuple[str, ...], batch_op: object | None = None) -> None:
    name = op.f(f'ck_{table}_reason_known')
    if batch_op is not None:
        batch_op.drop_constraint(name, type_='check')  # type: ignore[attr-defined]
        batch_op.create_check_constraint(name, f"reason IN ({_listed(reasons)})")  # type: ignore[attr-defined]
        return
    op.drop_constraint(name, table, type_='check')
    op.create_check_constraint(name, table, f"reason IN ({_listed(reasons)})")


def _revocation_triggers() -> None:
    """As 0004 made them: a revocation is a record, never edited nor deleted."""
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER IF NOT EXISTS revocations_no_{verb.lower()} BEFORE {verb} ON revocations "
                   "BEGIN SELECT RAISE(ABORT, 'revocations is immutable'); END")


def _grounds() -> sa.Column:
    """A JSON list of ground codes; earlier rows have none."""
    return sa.Column('grounds', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))


def upgrade() -> None:
    if _sqlite():
        with op.batch_alter_table('revocations', recreate='always') as batch_op:
            _reason_check('revocations', _REASONS_AFTER, batch_op)
            batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
            batch_op.add_column(_grounds())
        _revocation_triggers()
    else:
        _reason_check('revocations', _REASONS_AFTER)
        op.add_column('revocations', sa.Column('received_on', sa.Date(), nullable=True))
        op.add_column('revocations', _grounds())
    # a nullable-or-defaulted column: no rebuild, the withdrawals' triggers stay
    op.add_column('withdrawals', sa.Column('explanation', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('accountability_inquiries') as batch_op:
        _reason_check('accountability_inquiries', _REASONS_AFTER, batch_op)
        batch_op.add_column(_grounds())

    with op.batch_alter_table('accountability_findings') as batch_op:
        batch_op.add_column(_grounds())
        batch_op.add_column(sa.Column('responsibility', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('exemption', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('sanction', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='proposed'))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_accountability_findings_decided_by_users'), 'users',
                                    ['decided_by'], ['id'])
        for name, condition in _FINDING_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_accountability_findings_{name}'), condition)


def downgrade() -> None:
    bind = op.get_bind()
    for table in ('revocations', 'accountability_inquiries'):
        if bind.execute(sa.text(f"SELECT count(*) FROM {table} WHERE reason IN ('changed','confirmed_void')")).scalar():
            raise RuntimeError(f"{table} holds 变更 / 确认无效 rows: downgrading below 0022 would lose them")
    with op.batch_alter_table('accountability_findings') as batch_op:
        for name in _FINDING_CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_accountability_findings_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_accountability_findings_decided_by_users'), type_='foreignkey')
        for column in ('decision_note', 'decided_at', 'decided_by', 'status', 'sanction', 'exemption',
                       'responsibility', 'grounds'):
            batch_op.drop_column(column)
    with op.batch_alter_table('accountability_inquiries') as batch_op:
        _reason_check('accountability_inquiries', _REASONS_BEFORE, batch_op)
        batch_op.drop_column('grounds')
    op.drop_column('withdrawals', 'explanation')
    if _sqlite():
        with op.batch_alter_table('revocations', recreate='always') as batch_op:
            _reason_check('revocations', _REASONS_BEFORE, batch_op)
            batch_op.drop_column('grounds')
            batch_op.drop_column('received_on')
        _revocation_triggers()
    else:
        op.drop_column('revocations', 'grounds')
        op.drop_column('revocations', 'received_on')
        _reason_check('revocations', _REASONS_BEFORE)
