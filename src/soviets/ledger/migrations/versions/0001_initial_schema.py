# ruff: noqa: E501  (generated: long SQL kept on one line each)
"""initial schema

Revision ID: 0001
Revises:
Created: 2026-11-23 04:04:07.220539
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# What autogenerate cannot see: triggers (append-only ledger events, frozen
# proposal rules, no overlapping bookings on SQLite) and PostgreSQL's exclusion
# constraint on bookings. Written out in full so this revision never changes
# when the models' code does.
EXTRA_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER ledger_events_no_update BEFORE UPDATE ON ledger_events BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
        "CREATE TRIGGER ledger_events_no_delete BEFORE DELETE ON ledger_events BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
        "CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings BEGIN SELECT RAISE(ABORT, 'booking overlaps another booking') WHERE NEW.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM bookings b WHERE b.resource_id = NEW.resource_id AND b.cancelled_at IS NULL AND b.id IS NOT NEW.id AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at); END",
        "CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF resource_id, starts_at, ends_at, cancelled_at ON bookings BEGIN SELECT RAISE(ABORT, 'booking overlaps another booking') WHERE NEW.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM bookings b WHERE b.resource_id = NEW.resource_id AND b.cancelled_at IS NULL AND b.id IS NOT NEW.id AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at); END",
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE ON proposals WHEN (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.method IS NOT OLD.method OR NEW.quorum IS NOT OLD.quorum OR NEW.secret IS NOT OLD.secret OR NEW.payload IS NOT OLD.payload OR NEW.opens_at IS NOT OLD.opens_at OR NEW.closes_at IS NOT OLD.closes_at OR NEW.created_by IS NOT OLD.created_by OR NEW.opened_at IS NOT OLD.opened_at OR NEW.electorate_size IS NOT OLD.electorate_size)) OR (OLD.status = 'draft' AND NEW.status = 'closed') BEGIN SELECT RAISE(ABORT, 'soviets: the rules of a proposal are frozen once voting opens'); END",
        "CREATE TRIGGER trg_proposals_no_delete BEFORE DELETE ON proposals WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'soviets: only a draft proposal can be deleted'); END",
        "CREATE TRIGGER trg_proposal_options_insert_guard BEFORE INSERT ON proposal_options WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('draft') BEGIN SELECT RAISE(ABORT, 'soviets: proposal_options may change only while the proposal is draft'); END",
        "CREATE TRIGGER trg_proposal_options_update_guard BEFORE UPDATE ON proposal_options WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('draft') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('draft') BEGIN SELECT RAISE(ABORT, 'soviets: proposal_options may change only while the proposal is draft'); END",
        "CREATE TRIGGER trg_proposal_options_delete_guard BEFORE DELETE ON proposal_options WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('draft') BEGIN SELECT RAISE(ABORT, 'soviets: proposal_options may change only while the proposal is draft'); END",
        "CREATE TRIGGER trg_electorate_insert_guard BEFORE INSERT ON electorate WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('draft', 'open') BEGIN SELECT RAISE(ABORT, 'soviets: electorate may change only while the proposal is draft or open'); END",
        "CREATE TRIGGER trg_electorate_update_guard BEFORE UPDATE ON electorate WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('draft', 'open') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('draft', 'open') BEGIN SELECT RAISE(ABORT, 'soviets: electorate may change only while the proposal is draft or open'); END",
        "CREATE TRIGGER trg_electorate_delete_guard BEFORE DELETE ON electorate WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('draft', 'open') BEGIN SELECT RAISE(ABORT, 'soviets: electorate may change only while the proposal is draft or open'); END",
        "CREATE TRIGGER trg_ballots_insert_guard BEFORE INSERT ON ballots WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: ballots may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_ballots_update_guard BEFORE UPDATE ON ballots WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: ballots may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_ballots_delete_guard BEFORE DELETE ON ballots WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: ballots may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_ballot_marks_insert_guard BEFORE INSERT ON ballot_marks WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: ballot_marks may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_ballot_marks_update_guard BEFORE UPDATE ON ballot_marks WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: ballot_marks may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_ballot_marks_delete_guard BEFORE DELETE ON ballot_marks WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: ballot_marks may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_voted_insert_guard BEFORE INSERT ON voted WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: voted may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_voted_update_guard BEFORE UPDATE ON voted WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: voted may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_voted_delete_guard BEFORE DELETE ON voted WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: voted may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_secret_ballots_insert_guard BEFORE INSERT ON secret_ballots WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: secret_ballots may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_secret_ballots_update_guard BEFORE UPDATE ON secret_ballots WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: secret_ballots may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_secret_ballots_delete_guard BEFORE DELETE ON secret_ballots WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: secret_ballots may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_secret_marks_insert_guard BEFORE INSERT ON secret_marks WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: secret_marks may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_secret_marks_update_guard BEFORE UPDATE ON secret_marks WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: secret_marks may change only while the proposal is open'); END",
        "CREATE TRIGGER trg_secret_marks_delete_guard BEFORE DELETE ON secret_marks WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('open') BEGIN SELECT RAISE(ABORT, 'soviets: secret_marks may change only while the proposal is open'); END",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        "CREATE OR REPLACE FUNCTION ledger_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$",
        "CREATE TRIGGER ledger_events_no_change BEFORE UPDATE OR DELETE ON ledger_events FOR EACH ROW EXECUTE FUNCTION ledger_events_append_only()",
        "CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_append_only()",
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (resource_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (cancelled_at IS NULL)",
        "CREATE OR REPLACE FUNCTION soviets_proposals_frozen() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' THEN   IF OLD.status <> 'draft' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation',     MESSAGE = 'soviets: only a draft proposal can be deleted'; END IF;   RETURN OLD; END IF; IF (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.method IS DISTINCT FROM OLD.method OR NEW.quorum IS DISTINCT FROM OLD.quorum OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.opens_at IS DISTINCT FROM OLD.opens_at OR NEW.closes_at IS DISTINCT FROM OLD.closes_at OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.electorate_size IS DISTINCT FROM OLD.electorate_size)) OR (OLD.status = 'draft' AND NEW.status = 'closed') THEN   RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: the rules of a proposal are frozen once voting opens'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE OR DELETE ON proposals FOR EACH ROW EXECUTE FUNCTION soviets_proposals_frozen()",
        "CREATE OR REPLACE FUNCTION soviets_guard_by_status() RETURNS trigger AS $$ DECLARE st text; BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN   SELECT status INTO st FROM proposals WHERE id = OLD.proposal_id;   IF st IS NOT NULL AND NOT (st = ANY (TG_ARGV)) THEN     RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: '       || TG_TABLE_NAME || ' may change only while the proposal is '       || array_to_string(TG_ARGV, ' or ');   END IF; END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN   SELECT status INTO st FROM proposals WHERE id = NEW.proposal_id;   IF st IS NOT NULL AND NOT (st = ANY (TG_ARGV)) THEN     RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: '       || TG_TABLE_NAME || ' may change only while the proposal is '       || array_to_string(TG_ARGV, ' or ');   END IF;   RETURN NEW; END IF; RETURN OLD; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER trg_proposal_options_guard BEFORE INSERT OR UPDATE OR DELETE ON proposal_options FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('draft')",
        "CREATE TRIGGER trg_electorate_guard BEFORE INSERT OR UPDATE OR DELETE ON electorate FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('draft', 'open')",
        "CREATE TRIGGER trg_ballots_guard BEFORE INSERT OR UPDATE OR DELETE ON ballots FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_ballot_marks_guard BEFORE INSERT OR UPDATE OR DELETE ON ballot_marks FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_voted_guard BEFORE INSERT OR UPDATE OR DELETE ON voted FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_secret_ballots_guard BEFORE INSERT OR UPDATE OR DELETE ON secret_ballots FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_secret_marks_guard BEFORE INSERT OR UPDATE OR DELETE ON secret_marks FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
    ],
}
DROP_DDL: dict[str, list[str]] = {
    "postgresql": [
        "DROP FUNCTION IF EXISTS ledger_events_append_only() CASCADE",
        "DROP FUNCTION IF EXISTS soviets_guard_by_status() CASCADE",
        "DROP FUNCTION IF EXISTS soviets_proposals_frozen() CASCADE",
    ]
}


def upgrade() -> None:
    op.create_table(
        "councils",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("hours_available", sa.Double(), nullable=True),
        sa.Column("public", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('workplace', 'territorial', 'federation')", name=op.f("ck_councils_kind")
        ),
        sa.CheckConstraint(
            "hours_available IS NULL OR hours_available >= 0", name=op.f("ck_councils_hours")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_councils")),
        sa.UniqueConstraint("name", name=op.f("uq_councils_name")),
    )
    op.create_table(
        "goods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("limit_per_period", sa.Float(), nullable=True),
        sa.CheckConstraint("kind IN ('produced', 'primary')", name=op.f("ck_goods_kind")),
        sa.CheckConstraint(
            "limit_per_period IS NULL OR (kind = 'primary' AND limit_per_period >= 0)",
            name=op.f("ck_goods_limit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods")),
        sa.UniqueConstraint("name", name=op.f("uq_goods_name")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_single_row")),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_ledger_head_seq_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
    )
    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_periods_dates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("name", name=op.f("uq_periods_name")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempts_account_at", ["account", "at"], unique=False)
        batch_op.create_index("ix_sign_in_attempts_client_at", ["client", "at"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_api_tokens_hash_length")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_api_tokens_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_person_id"), ["person_id"], unique=False)

    op.create_table(
        "council_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("federation_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("member_id <> federation_id", name=op.f("ck_council_links_not_self")),
        sa.ForeignKeyConstraint(
            ["federation_id"], ["councils.id"], name=op.f("fk_council_links_federation_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["councils.id"], name=op.f("fk_council_links_member_id_councils")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_links")),
        sa.UniqueConstraint(
            "member_id",
            "federation_id",
            "joined_at",
            name=op.f("uq_council_links_member_id_federation_id_joined_at"),
        ),
    )
    with op.batch_alter_table("council_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_council_links_federation_id"), ["federation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_council_links_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            "uq_council_links_open",
            ["member_id", "federation_id"],
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('member', 'coordinator')", name=op.f("ck_memberships_role")),
        sa.CheckConstraint(
            "left_at IS NULL OR left_at >= joined_at", name=op.f("ck_memberships_dates")
        ),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_memberships_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_memberships_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_memberships_open",
            ["person_id", "council_id"],
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        )

    op.create_table(
        "processes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("labour", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0", name=op.f("ck_processes_capacity_not_negative")
        ),
        sa.CheckConstraint("labour >= 0", name=op.f("ck_processes_labour_not_negative")),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_processes_council_id_councils")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processes")),
        sa.UniqueConstraint("name", name=op.f("uq_processes_name")),
    )
    with op.batch_alter_table("processes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processes_council_id"), ["council_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("quorum", sa.Float(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("electorate_size", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ballots_counted", sa.Integer(), nullable=True),
        sa.Column("winner", sa.String(length=100), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'closed' AND outcome IN ('accepted', 'rejected', 'failed', 'abandoned') AND closed_at IS NOT NULL) OR (status = 'withdrawn' AND outcome IS NULL AND closed_at IS NOT NULL) OR (status IN ('draft', 'open') AND outcome IS NULL AND closed_at IS NULL)",
            name=op.f("ck_proposals_outcome"),
        ),
        sa.CheckConstraint(
            "executed_at IS NULL OR outcome = 'accepted'", name=op.f("ck_proposals_executed")
        ),
        sa.CheckConstraint(
            "kind IN ('general', 'admit_member', 'elect_delegate', 'recall_delegate', 'instruct_delegate', 'approve_needs', 'adopt_plan', 'approve_agreement', 'inventory_transfer', 'change_rules', 'set_role', 'leave_federation', 'abandon_proposal')",
            name=op.f("ck_proposals_kind"),
        ),
        sa.CheckConstraint(
            "method IN ('majority', 'two-thirds', 'consent', 'schulze')",
            name=op.f("ck_proposals_method"),
        ),
        sa.CheckConstraint(
            "status <> 'withdrawn' OR opened_at IS NULL", name=op.f("ck_proposals_withdrawn_draft")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'withdrawn')", name=op.f("ck_proposals_status")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'withdrawn') OR (opened_at IS NOT NULL AND electorate_size IS NOT NULL)",
            name=op.f("ck_proposals_opened"),
        ),
        sa.CheckConstraint(
            "electorate_size IS NULL OR electorate_size >= 0", name=op.f("ck_proposals_electorate")
        ),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at",
            name=op.f("ck_proposals_times"),
        ),
        sa.CheckConstraint("quorum >= 0 AND quorum <= 1", name=op.f("ck_proposals_quorum")),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_proposals_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_proposals_created_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("council_id", "id", name=op.f("uq_proposals_council_id_id")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_council_id"), ["council_id"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_web_sessions_expiry")),
        sa.CheckConstraint("length(session_hash) = 64", name=op.f("ck_web_sessions_hash_length")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_web_sessions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_sessions_session_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "council_rules",
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_council_rules_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["proposals.id"], name=op.f("fk_council_rules_set_by_proposals")
        ),
        sa.PrimaryKeyConstraint("council_id", "key", name=op.f("pk_council_rules")),
    )
    op.create_table(
        "delegates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("federation_id", sa.Integer(), nullable=False),
        sa.Column("term_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("elected_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'active') = (ended_at IS NULL)", name=op.f("ck_delegates_ended")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'recalled', 'replaced', 'ended')",
            name=op.f("ck_delegates_status"),
        ),
        sa.CheckConstraint("council_id <> federation_id", name=op.f("ck_delegates_not_self")),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_delegates_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["elected_by"], ["proposals.id"], name=op.f("fk_delegates_elected_by_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["proposals.id"], name=op.f("fk_delegates_ended_by_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["federation_id"], ["councils.id"], name=op.f("fk_delegates_federation_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_delegates_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegates")),
    )
    with op.batch_alter_table("delegates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegates_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_delegates_person",
            ["person_id", "federation_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_delegates_seat",
            ["council_id", "federation_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "electorate",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("seat_council_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_electorate_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_electorate_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["seat_council_id"],
            ["councils.id"],
            name=op.f("fk_electorate_seat_council_id_councils"),
        ),
        sa.PrimaryKeyConstraint("proposal_id", "person_id", name=op.f("pk_electorate")),
    )
    with op.batch_alter_table("electorate", schema=None) as batch_op:
        batch_op.create_index(
            "uq_electorate_seat",
            ["proposal_id", "seat_council_id"],
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("good_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL) AND (status <> 'withdrawn' OR approved_at IS NULL)",
            name=op.f("ck_needs_withdrawn"),
        ),
        sa.CheckConstraint("priority IN ('essential', 'normal')", name=op.f("ck_needs_priority")),
        sa.CheckConstraint(
            "status <> 'approved' OR approved_at IS NOT NULL",
            name=op.f("ck_needs_approved_has_time"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'withdrawn')", name=op.f("ck_needs_status")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_needs_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_needs_council_id_councils")
        ),
        sa.ForeignKeyConstraint(["good_id"], ["goods.id"], name=op.f("fk_needs_good_id_goods")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_needs_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_needs_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_needs_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
    )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index("ix_needs_council_period", ["council_id", "period_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("federation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("solver", sa.String(length=50), nullable=False),
        sa.Column("plan_status", sa.String(length=20), nullable=False),
        sa.Column("objective_hours", sa.Float(), nullable=True),
        sa.Column("certificate", sa.JSON(), nullable=False),
        sa.Column("activity", sa.JSON(), nullable=False),
        sa.Column("council_hours", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("allocation", sa.JSON(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status = 'proposed' OR adopted_at IS NOT NULL", name=op.f("ck_plans_adopted_has_time")
        ),
        sa.CheckConstraint("status IN ('proposed', 'adopted')", name=op.f("ck_plans_status")),
        sa.ForeignKeyConstraint(
            ["federation_id"], ["councils.id"], name=op.f("fk_plans_federation_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_plans_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_plans_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_period_id"), ["period_id"], unique=False)
        batch_op.create_index(
            "uq_plans_adopted",
            ["period_id", "federation_id"],
            unique=True,
            sqlite_where=sa.text("status = 'adopted'"),
            postgresql_where=sa.text("status = 'adopted'"),
        )

    op.create_table(
        "process_flows",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("good_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_process_flows_quantity_not_zero")),
        sa.ForeignKeyConstraint(
            ["good_id"], ["goods.id"], name=op.f("fk_process_flows_good_id_goods")
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["processes.id"], name=op.f("fk_process_flows_process_id_processes")
        ),
        sa.PrimaryKeyConstraint("process_id", "good_id", name=op.f("pk_process_flows")),
    )
    op.create_table(
        "proposal_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.CheckConstraint("length(label) > 0", name=op.f("ck_proposal_options_label")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_options_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_options")),
        sa.UniqueConstraint("proposal_id", "id", name=op.f("uq_proposal_options_proposal_id_id")),
        sa.UniqueConstraint(
            "proposal_id", "label", name=op.f("uq_proposal_options_proposal_id_label")
        ),
        sa.UniqueConstraint(
            "proposal_id", "position", name=op.f("uq_proposal_options_proposal_id_position")
        ),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("holder_council_id", sa.Integer(), nullable=False),
        sa.Column("good_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("capacity_per_unit", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind = 'means_of_production' OR (process_id IS NULL AND capacity_per_unit IS NULL)",
            name=op.f("ck_resources_capacity_only_for_means_of_production"),
        ),
        sa.CheckConstraint(
            "kind IN ('means_of_production', 'housing', 'consumer_good', 'shared_good')",
            name=op.f("ck_resources_kind"),
        ),
        sa.CheckConstraint(
            "capacity_per_unit IS NULL OR capacity_per_unit >= 0",
            name=op.f("ck_resources_capacity_not_negative"),
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_resources_quantity_not_negative")),
        sa.ForeignKeyConstraint(["good_id"], ["goods.id"], name=op.f("fk_resources_good_id_goods")),
        sa.ForeignKeyConstraint(
            ["holder_council_id"],
            ["councils.id"],
            name=op.f("fk_resources_holder_council_id_councils"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["processes.id"], name=op.f("fk_resources_process_id_processes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint(
            "holder_council_id", "name", name=op.f("uq_resources_holder_council_id_name")
        ),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resources_good_id"), ["good_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_resources_holder_council_id"), ["holder_council_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resources_process_id"), ["process_id"], unique=False)

    op.create_table(
        "secret_ballots",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(key) = 64", name=op.f("ck_secret_ballots_key")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_secret_ballots_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_secret_ballots")),
        sa.UniqueConstraint("proposal_id", "key", name=op.f("uq_secret_ballots_proposal_id_key")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("supplier_council_id", sa.Integer(), nullable=False),
        sa.Column("receiver_council_id", sa.Integer(), nullable=False),
        sa.Column("good_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'fulfilled')", name=op.f("ck_agreements_status")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_agreements_quantity_positive")),
        sa.CheckConstraint(
            "supplier_council_id <> receiver_council_id", name=op.f("ck_agreements_two_councils")
        ),
        sa.ForeignKeyConstraint(
            ["good_id"], ["goods.id"], name=op.f("fk_agreements_good_id_goods")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_agreements_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_agreements_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["receiver_council_id"],
            ["councils.id"],
            name=op.f("fk_agreements_receiver_council_id_councils"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_council_id"],
            ["councils.id"],
            name=op.f("fk_agreements_supplier_council_id_councils"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint(
            "plan_id",
            "supplier_council_id",
            "receiver_council_id",
            "good_id",
            name=op.f("uq_agreements_plan_id_supplier_council_id_receiver_council_id_good_id"),
        ),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreements_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agreements_receiver_council_id"), ["receiver_council_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreements_supplier_council_id"), ["supplier_council_id"], unique=False
        )

    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("seat_council_id", sa.Integer(), nullable=True),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdrawn_reason IS NULL)", name=op.f("ck_ballots_withdrawn")
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_ballots_revision")),
        sa.ForeignKeyConstraint(
            ["proposal_id", "voter_id"],
            ["electorate.proposal_id", "electorate.person_id"],
            name=op.f("fk_ballots_proposal_id_electorate"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_ballots_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["seat_council_id"], ["councils.id"], name=op.f("fk_ballots_seat_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["people.id"], name=op.f("fk_ballots_voter_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("proposal_id", "id", name=op.f("uq_ballots_proposal_id_id")),
        sa.UniqueConstraint(
            "proposal_id", "voter_id", name=op.f("uq_ballots_proposal_id_voter_id")
        ),
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballots_voter_id"), ["voter_id"], unique=False)
        batch_op.create_index(
            "uq_ballots_seat",
            ["proposal_id", "seat_council_id"],
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_bookings_interval")),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_bookings_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_bookings_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resources.id"], name=op.f("fk_bookings_resource_id_resources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bookings_person_council", ["person_id", "council_id"], unique=False
        )
        batch_op.create_index(
            "ix_bookings_resource_starts", ["resource_id", "starts_at"], unique=False
        )

    op.create_table(
        "mandates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("proposal_kind", sa.String(length=30), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("vote", sa.String(length=10), nullable=False),
        sa.Column("ranking", sa.Text(), nullable=True),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(vote = 'ranking' AND ranking IS NOT NULL AND proposal_id IS NOT NULL) OR (vote <> 'ranking' AND ranking IS NULL)",
            name=op.f("ck_mandates_ranking"),
        ),
        sa.CheckConstraint(
            "proposal_kind IS NULL OR proposal_kind IN ('general', 'admit_member', 'elect_delegate', 'recall_delegate', 'instruct_delegate', 'approve_needs', 'adopt_plan', 'approve_agreement', 'inventory_transfer', 'change_rules', 'set_role', 'leave_federation', 'abandon_proposal')",
            name=op.f("ck_mandates_kind"),
        ),
        sa.CheckConstraint(
            "vote IN ('yes', 'no', 'free', 'ranking')", name=op.f("ck_mandates_vote")
        ),
        sa.CheckConstraint(
            "(proposal_kind IS NULL AND proposal_id IS NOT NULL) OR (proposal_kind IS NOT NULL AND proposal_id IS NULL)",
            name=op.f("ck_mandates_target"),
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_mandates_delegate_id_delegates")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_mandates_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["proposals.id"], name=op.f("fk_mandates_set_by_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
        sa.UniqueConstraint(
            "delegate_id", "proposal_id", name=op.f("uq_mandates_delegate_id_proposal_id")
        ),
        sa.UniqueConstraint(
            "delegate_id", "proposal_kind", name=op.f("uq_mandates_delegate_id_proposal_kind")
        ),
    )
    op.create_table(
        "secret_marks",
        sa.Column("ballot_key", sa.String(length=64), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_secret_marks_rank")),
        sa.ForeignKeyConstraint(
            ["proposal_id", "ballot_key"],
            ["secret_ballots.proposal_id", "secret_ballots.key"],
            name=op.f("fk_secret_marks_proposal_id_secret_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id", "option_id"],
            ["proposal_options.proposal_id", "proposal_options.id"],
            name=op.f("fk_secret_marks_proposal_id_proposal_options"),
        ),
        sa.PrimaryKeyConstraint("ballot_key", "option_id", name=op.f("pk_secret_marks")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "voted",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_voted_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id", "person_id"],
            ["electorate.proposal_id", "electorate.person_id"],
            name=op.f("fk_voted_proposal_id_electorate"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_voted_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("proposal_id", "person_id", name=op.f("pk_voted")),
    )
    op.create_table(
        "agreement_acceptances",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "actor_id IS NOT NULL OR proposal_id IS NOT NULL",
            name=op.f("ck_agreement_acceptances_by_someone"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["people.id"], name=op.f("fk_agreement_acceptances_actor_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_acceptances_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_agreement_acceptances_council_id_councils"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_agreement_acceptances_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "council_id", name=op.f("pk_agreement_acceptances")
        ),
    )
    op.create_table(
        "ballot_marks",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_ballot_marks_rank")),
        sa.ForeignKeyConstraint(
            ["proposal_id", "ballot_id"],
            ["ballots.proposal_id", "ballots.id"],
            name=op.f("fk_ballot_marks_proposal_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id", "option_id"],
            ["proposal_options.proposal_id", "proposal_options.id"],
            name=op.f("fk_ballot_marks_proposal_id_proposal_options"),
        ),
        sa.PrimaryKeyConstraint("ballot_id", "option_id", name=op.f("pk_ballot_marks")),
    )
    op.create_table(
        "ledger_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("to_resource_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("from_council_id", sa.Integer(), nullable=True),
        sa.Column("to_council_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("mandate", sa.Text(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "action IN ('produce', 'consume', 'use', 'transfer', 'transfer-custody', 'move', 'raise', 'lower')",
            name=op.f("ck_ledger_events_action"),
        ),
        sa.CheckConstraint(
            "length(hash) = 64 AND length(prev_hash) = 64",
            name=op.f("ck_ledger_events_hash_length"),
        ),
        sa.CheckConstraint(
            "proposal_id IS NOT NULL OR mandate IS NOT NULL",
            name=op.f("ck_ledger_events_authorised"),
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_ledger_events_quantity_not_negative")),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_ledger_events_seq_positive")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["people.id"], name=op.f("fk_ledger_events_actor_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_ledger_events_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["from_council_id"],
            ["councils.id"],
            name=op.f("fk_ledger_events_from_council_id_councils"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_ledger_events_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resources.id"], name=op.f("fk_ledger_events_resource_id_resources")
        ),
        sa.ForeignKeyConstraint(
            ["to_council_id"], ["councils.id"], name=op.f("fk_ledger_events_to_council_id_councils")
        ),
        sa.ForeignKeyConstraint(
            ["to_resource_id"],
            ["resources.id"],
            name=op.f("fk_ledger_events_to_resource_id_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_ledger_events_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_ledger_events_seq")),
    )
    with op.batch_alter_table("ledger_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_events_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_events_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_events_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_events_to_resource_id"), ["to_resource_id"], unique=False
        )
    for statement in EXTRA_DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("ledger_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_events_to_resource_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_events_resource_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_events_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_events_agreement_id"))

    op.drop_table("ledger_events")
    op.drop_table("ballot_marks")
    op.drop_table("agreement_acceptances")
    op.drop_table("voted")
    op.drop_table("secret_marks")
    op.drop_table("mandates")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_resource_starts")
        batch_op.drop_index("ix_bookings_person_council")

    op.drop_table("bookings")
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_ballots_seat",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_ballots_voter_id"))

    op.drop_table("ballots")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_supplier_council_id"))
        batch_op.drop_index(batch_op.f("ix_agreements_receiver_council_id"))
        batch_op.drop_index(batch_op.f("ix_agreements_plan_id"))
        batch_op.drop_index(batch_op.f("ix_agreements_period_id"))

    op.drop_table("agreements")
    op.drop_table("secret_ballots")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resources_process_id"))
        batch_op.drop_index(batch_op.f("ix_resources_holder_council_id"))
        batch_op.drop_index(batch_op.f("ix_resources_good_id"))

    op.drop_table("resources")
    op.drop_table("proposal_options")
    op.drop_table("process_flows")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_plans_adopted",
            sqlite_where=sa.text("status = 'adopted'"),
            postgresql_where=sa.text("status = 'adopted'"),
        )
        batch_op.drop_index(batch_op.f("ix_plans_period_id"))

    op.drop_table("plans")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index("ix_needs_council_period")

    op.drop_table("needs")
    with op.batch_alter_table("electorate", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_electorate_seat",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.drop_table("electorate")
    with op.batch_alter_table("delegates", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_delegates_seat",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_delegates_person",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_delegates_person_id"))

    op.drop_table("delegates")
    op.drop_table("council_rules")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_person_id"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_council_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processes_council_id"))

    op.drop_table("processes")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_memberships_open",
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_memberships_person_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_council_id"))

    op.drop_table("memberships")
    with op.batch_alter_table("council_links", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_council_links_open",
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_council_links_member_id"))
        batch_op.drop_index(batch_op.f("ix_council_links_federation_id"))

    op.drop_table("council_links")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_person_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempts_client_at")
        batch_op.drop_index("ix_sign_in_attempts_account_at")

    op.drop_table("sign_in_attempts")
    op.drop_table("periods")
    op.drop_table("people")
    op.drop_table("ledger_head")
    op.drop_table("goods")
    op.drop_table("councils")
    for statement in DROP_DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)
