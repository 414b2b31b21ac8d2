"""separation of powers (三权分立) in the database: no account holds two of the powers

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00.000000

A trigger on ``user_roles`` refuses a row that would give a user a second power (系统管理员 ``admin``,
监督人员/审计 ``auditor``) whatever path writes it (the application, a script, a SQL shell), and refuses
UPDATE of a row: roles are granted (INSERT) and revoked (DELETE), never edited into another role.
An existing database where one user already combines two powers is not upgraded: the operator first
takes one of the roles away (``review-service user revoke USERNAME ROLE``).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# frozen here: the migration must not follow later code (core/permissions.py POWERS)
POWERS = ("admin", "auditor")
_IN = "(" + ",".join(f"'{role}'" for role in POWERS) + ")"
COMBINED = "separation_of_powers: a user may not hold two of the roles " + ", ".join(POWERS)
EDITED = "user_roles rows are granted and revoked, never edited"
# True when the row NEW would give its user a second power (both databases run it)
VIOLATION = (f"NEW.role IN {_IN} AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = NEW.user_id "
             f"AND r.role IN {_IN} AND r.role <> NEW.role)")


def upgrade() -> None:
    bind = op.get_bind()
    combined = bind.execute(sa.text(
        f"SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role IN {_IN} "
        "GROUP BY u.id, u.username HAVING count(*) > 1 ORDER BY u.username")).scalars().all()
    if combined:
        raise RuntimeError("以下账户兼任系统管理员和监督人员，违反三权分立，请先用 review-service user revoke "
                           "撤销其中一个角色再升级：" + "、".join(combined))
    if bind.dialect.name == "sqlite":  # SQLite has one writer at a time: the check cannot race
        op.execute(f"CREATE TRIGGER user_roles_separate_powers BEFORE INSERT ON user_roles WHEN {VIOLATION} "
                   f"BEGIN SELECT RAISE(ABORT, '{COMBINED}'); END")
        op.execute("CREATE TRIGGER user_roles_no_update BEFORE UPDATE ON user_roles "
                   f"BEGIN SELECT RAISE(ABORT, '{EDITED}'); END")
        return
    # PostgreSQL (READ COMMITTED): two grants to one user take turns on the user's row, so the second
    # one's check (a new statement, a new snapshot) sees the first one's committed role
    op.execute(f"""
        CREATE OR REPLACE FUNCTION user_roles_separate_powers() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION '{EDITED}' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.role IN {_IN} THEN
                PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
                IF {VIOLATION} THEN
                    RAISE EXCEPTION '{COMBINED}' USING ERRCODE = 'check_violation';
                END IF;
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
    """)
    op.execute("CREATE TRIGGER user_roles_separate_powers BEFORE INSERT OR UPDATE ON user_roles "
               "FOR EACH ROW EXECUTE FUNCTION user_roles_separate_powers()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS user_roles_no_update")
        op.execute("DROP TRIGGER IF EXISTS user_roles_separate_powers")
        return
    op.execute("DROP TRIGGER IF EXISTS user_roles_separate_powers ON user_roles")
    op.execute("DROP FUNCTION IF EXISTS user_roles_separate_powers()")
