# ruff: noqa: E501  (long SQL kept on one line each)
"""Discussion (comments, their versions), amendments and alternatives, a
discussion phase before voting (status ``discussion``)

Adds to ``proposals`` the end of its discussion, the way its amendments are decided,
the amended text and payload put to the vote and the "no change" option of a ranked
vote of versions; lets ``discussion`` into its status CHECKs; creates ``amendments``,
``comments`` and ``comment_versions``; and rewrites the proposals' triggers so that a
proposal in discussion keeps its text, takes amendments and then opens its vote.

Revision ID: 0012_deliberation
Revises: 0011_ratification
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0012_deliberation"
down_revision = "0011_ratification"
branch_labels = None
depends_on = None

# (constraint, condition before, condition after) on table proposals
CHECKS = (
    (
        "ck_proposals_status",
        "status IN ('draft', 'open', 'closed', 'withdrawn')",
        "status IN ('draft', 'discussion', 'open', 'closed', 'withdrawn')",
    ),
    (
        "ck_proposals_outcome",
        "(status = 'closed' AND outcome IN ('accepted', 'rejected', 'failed', 'abandoned') AND closed_at IS NOT NULL) OR (status = 'withdrawn' AND outcome IS NULL AND closed_at IS NOT NULL) OR (status IN ('draft', 'open') AND outcome IS NULL AND closed_at IS NULL)",
        "(status = 'closed' AND outcome IN ('accepted', 'rejected', 'failed', 'abandoned') AND closed_at IS NOT NULL) OR (status = 'withdrawn' AND outcome IS NULL AND closed_at IS NOT NULL) OR (status IN ('draft', 'discussion', 'open') AND outcome IS NULL AND closed_at IS NULL)",
    ),
    (
        "ck_proposals_opened",
        "status IN ('draft', 'withdrawn') OR (opened_at IS NOT NULL AND electorate_size IS NOT NULL)",
        "status IN ('draft', 'withdrawn') OR (status = 'discussion' AND discussion_ends_at IS NOT NULL) OR (opened_at IS NOT NULL AND electorate_size IS NOT NULL)",
    ),
)

# The triggers of soviets.ledger.models.governance.governance_ddl before and after.
TRIGGERS_OLD = {
    "sqlite": [
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE ON proposals WHEN (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.method IS NOT OLD.method OR NEW.quorum IS NOT OLD.quorum OR NEW.secret IS NOT OLD.secret OR NEW.payload IS NOT OLD.payload OR NEW.opens_at IS NOT OLD.opens_at OR NEW.closes_at IS NOT OLD.closes_at OR NEW.created_by IS NOT OLD.created_by OR NEW.opened_at IS NOT OLD.opened_at OR NEW.electorate_size IS NOT OLD.electorate_size OR NEW.floor IS NOT OLD.floor OR NEW.weighting IS NOT OLD.weighting OR NEW.electorate_members IS NOT OLD.electorate_members)) OR (OLD.status = 'draft' AND NEW.status = 'closed') BEGIN SELECT RAISE(ABORT, 'soviets: the rules of a proposal are frozen once voting opens'); END",
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
        "CREATE OR REPLACE FUNCTION soviets_proposals_frozen() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' THEN   IF OLD.status <> 'draft' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation',     MESSAGE = 'soviets: only a draft proposal can be deleted'; END IF;   RETURN OLD; END IF; IF (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.method IS DISTINCT FROM OLD.method OR NEW.quorum IS DISTINCT FROM OLD.quorum OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.opens_at IS DISTINCT FROM OLD.opens_at OR NEW.closes_at IS DISTINCT FROM OLD.closes_at OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.electorate_size IS DISTINCT FROM OLD.electorate_size OR NEW.floor IS DISTINCT FROM OLD.floor OR NEW.weighting IS DISTINCT FROM OLD.weighting OR NEW.electorate_members IS DISTINCT FROM OLD.electorate_members)) OR (OLD.status = 'draft' AND NEW.status = 'closed') THEN   RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: the rules of a proposal are frozen once voting opens'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
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

TRIGGERS_NEW = {
    "sqlite": [
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE ON proposals WHEN (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.method IS NOT OLD.method OR NEW.quorum IS NOT OLD.quorum OR NEW.secret IS NOT OLD.secret OR NEW.payload IS NOT OLD.payload OR NEW.opens_at IS NOT OLD.opens_at OR NEW.closes_at IS NOT OLD.closes_at OR NEW.created_by IS NOT OLD.created_by OR NEW.opened_at IS NOT OLD.opened_at OR NEW.electorate_size IS NOT OLD.electorate_size OR NEW.floor IS NOT OLD.floor OR NEW.weighting IS NOT OLD.weighting OR NEW.electorate_members IS NOT OLD.electorate_members OR NEW.discussion_ends_at IS NOT OLD.discussion_ends_at OR NEW.amendments IS NOT OLD.amendments OR NEW.amended_body IS NOT OLD.amended_body OR NEW.amended_payload IS NOT OLD.amended_payload OR NEW.no_change IS NOT OLD.no_change)) OR (OLD.status = 'discussion' AND (NEW.status NOT IN ('discussion', 'open', 'withdrawn') OR NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.payload IS NOT OLD.payload OR NEW.secret IS NOT OLD.secret OR NEW.created_by IS NOT OLD.created_by OR NEW.discussion_ends_at IS NOT OLD.discussion_ends_at OR NEW.amendments IS NOT OLD.amendments OR (NEW.status = 'discussion' AND (NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.method IS NOT OLD.method OR NEW.quorum IS NOT OLD.quorum OR NEW.secret IS NOT OLD.secret OR NEW.payload IS NOT OLD.payload OR NEW.opens_at IS NOT OLD.opens_at OR NEW.closes_at IS NOT OLD.closes_at OR NEW.created_by IS NOT OLD.created_by OR NEW.opened_at IS NOT OLD.opened_at OR NEW.electorate_size IS NOT OLD.electorate_size OR NEW.floor IS NOT OLD.floor OR NEW.weighting IS NOT OLD.weighting OR NEW.electorate_members IS NOT OLD.electorate_members OR NEW.discussion_ends_at IS NOT OLD.discussion_ends_at OR NEW.amendments IS NOT OLD.amendments OR NEW.amended_body IS NOT OLD.amended_body OR NEW.amended_payload IS NOT OLD.amended_payload OR NEW.no_change IS NOT OLD.no_change)))) OR (OLD.status = 'draft' AND NEW.status = 'closed') BEGIN SELECT RAISE(ABORT, 'soviets: the rules of a proposal are frozen once voting opens'); END",
        "CREATE TRIGGER trg_proposals_no_delete BEFORE DELETE ON proposals WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'soviets: only a draft proposal can be deleted'); END",
        "CREATE TRIGGER trg_proposal_options_insert_guard BEFORE INSERT ON proposal_options WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('draft', 'discussion') BEGIN SELECT RAISE(ABORT, 'soviets: proposal_options may change only while the proposal is draft or discussion'); END",
        "CREATE TRIGGER trg_proposal_options_update_guard BEFORE UPDATE ON proposal_options WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('draft', 'discussion') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('draft', 'discussion') BEGIN SELECT RAISE(ABORT, 'soviets: proposal_options may change only while the proposal is draft or discussion'); END",
        "CREATE TRIGGER trg_proposal_options_delete_guard BEFORE DELETE ON proposal_options WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('draft', 'discussion') BEGIN SELECT RAISE(ABORT, 'soviets: proposal_options may change only while the proposal is draft or discussion'); END",
        "CREATE TRIGGER trg_amendments_insert_guard BEFORE INSERT ON amendments WHEN (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('discussion') BEGIN SELECT RAISE(ABORT, 'soviets: amendments may change only while the proposal is discussion'); END",
        "CREATE TRIGGER trg_amendments_update_guard BEFORE UPDATE ON amendments WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('discussion') OR (SELECT status FROM proposals WHERE id = NEW.proposal_id) NOT IN ('discussion') BEGIN SELECT RAISE(ABORT, 'soviets: amendments may change only while the proposal is discussion'); END",
        "CREATE TRIGGER trg_amendments_delete_guard BEFORE DELETE ON amendments WHEN (SELECT status FROM proposals WHERE id = OLD.proposal_id) NOT IN ('discussion') BEGIN SELECT RAISE(ABORT, 'soviets: amendments may change only while the proposal is discussion'); END",
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
        "CREATE OR REPLACE FUNCTION soviets_proposals_frozen() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' THEN   IF OLD.status <> 'draft' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation',     MESSAGE = 'soviets: only a draft proposal can be deleted'; END IF;   RETURN OLD; END IF; IF (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.method IS DISTINCT FROM OLD.method OR NEW.quorum IS DISTINCT FROM OLD.quorum OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.opens_at IS DISTINCT FROM OLD.opens_at OR NEW.closes_at IS DISTINCT FROM OLD.closes_at OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.electorate_size IS DISTINCT FROM OLD.electorate_size OR NEW.floor IS DISTINCT FROM OLD.floor OR NEW.weighting IS DISTINCT FROM OLD.weighting OR NEW.electorate_members IS DISTINCT FROM OLD.electorate_members OR NEW.discussion_ends_at IS DISTINCT FROM OLD.discussion_ends_at OR NEW.amendments IS DISTINCT FROM OLD.amendments OR NEW.amended_body IS DISTINCT FROM OLD.amended_body OR NEW.amended_payload IS DISTINCT FROM OLD.amended_payload OR NEW.no_change IS DISTINCT FROM OLD.no_change)) OR (OLD.status = 'discussion' AND (NEW.status NOT IN ('discussion', 'open', 'withdrawn') OR NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.discussion_ends_at IS DISTINCT FROM OLD.discussion_ends_at OR NEW.amendments IS DISTINCT FROM OLD.amendments OR (NEW.status = 'discussion' AND (NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.method IS DISTINCT FROM OLD.method OR NEW.quorum IS DISTINCT FROM OLD.quorum OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.opens_at IS DISTINCT FROM OLD.opens_at OR NEW.closes_at IS DISTINCT FROM OLD.closes_at OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.electorate_size IS DISTINCT FROM OLD.electorate_size OR NEW.floor IS DISTINCT FROM OLD.floor OR NEW.weighting IS DISTINCT FROM OLD.weighting OR NEW.electorate_members IS DISTINCT FROM OLD.electorate_members OR NEW.discussion_ends_at IS DISTINCT FROM OLD.discussion_ends_at OR NEW.amendments IS DISTINCT FROM OLD.amendments OR NEW.amended_body IS DISTINCT FROM OLD.amended_body OR NEW.amended_payload IS DISTINCT FROM OLD.amended_payload OR NEW.no_change IS DISTINCT FROM OLD.no_change)))) OR (OLD.status = 'draft' AND NEW.status = 'closed') THEN   RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: the rules of a proposal are frozen once voting opens'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE OR DELETE ON proposals FOR EACH ROW EXECUTE FUNCTION soviets_proposals_frozen()",
        "CREATE OR REPLACE FUNCTION soviets_guard_by_status() RETURNS trigger AS $$ DECLARE st text; BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN   SELECT status INTO st FROM proposals WHERE id = OLD.proposal_id;   IF st IS NOT NULL AND NOT (st = ANY (TG_ARGV)) THEN     RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: '       || TG_TABLE_NAME || ' may change only while the proposal is '       || array_to_string(TG_ARGV, ' or ');   END IF; END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN   SELECT status INTO st FROM proposals WHERE id = NEW.proposal_id;   IF st IS NOT NULL AND NOT (st = ANY (TG_ARGV)) THEN     RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: '       || TG_TABLE_NAME || ' may change only while the proposal is '       || array_to_string(TG_ARGV, ' or ');   END IF;   RETURN NEW; END IF; RETURN OLD; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER trg_proposal_options_guard BEFORE INSERT OR UPDATE OR DELETE ON proposal_options FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('draft', 'discussion')",
        "CREATE TRIGGER trg_amendments_guard BEFORE INSERT OR UPDATE OR DELETE ON amendments FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('discussion')",
        "CREATE TRIGGER trg_electorate_guard BEFORE INSERT OR UPDATE OR DELETE ON electorate FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('draft', 'open')",
        "CREATE TRIGGER trg_ballots_guard BEFORE INSERT OR UPDATE OR DELETE ON ballots FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_ballot_marks_guard BEFORE INSERT OR UPDATE OR DELETE ON ballot_marks FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_voted_guard BEFORE INSERT OR UPDATE OR DELETE ON voted FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_secret_ballots_guard BEFORE INSERT OR UPDATE OR DELETE ON secret_ballots FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
        "CREATE TRIGGER trg_secret_marks_guard BEFORE INSERT OR UPDATE OR DELETE ON secret_marks FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status('open')",
    ],
}

COLUMNS = (
    ("discussion_ends_at", sa.DateTime(timezone=True)),
    ("amendments", sa.String(length=10)),
    ("amended_body", sa.Text()),
    ("amended_payload", sa.Text()),
    ("no_change", sa.String(length=100)),
)


def _checks(forward: bool) -> None:
    """Swap the conditions of the status CHECKs of ``proposals`` (as in 0003_commons:
    PostgreSQL re-adds them; SQLite's schema text is edited, then checked)."""
    bind = op.get_bind()
    pairs = [(name, (a, b) if forward else (b, a)) for name, a, b in CHECKS]
    if bind.dialect.name == "postgresql":
        for name, (_, after) in pairs:
            op.drop_constraint(op.f(name), "proposals", type_="check")
            op.create_check_constraint(op.f(name), "proposals", after)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for _, (before, after) in pairs:
        changed = bind.execute(
            sa.text(
                "UPDATE sqlite_master SET sql = replace(sql, :before, :after) "
                "WHERE type = 'table' AND name = 'proposals' AND instr(sql, :before) > 0"
            ),
            {"before": f"CHECK ({before})", "after": f"CHECK ({after})"},
        ).rowcount
        if changed != 1:
            raise RuntimeError("a status CHECK of table proposals is not the expected one")
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
    if problems != "ok":
        raise RuntimeError(f"the database does not check out after the edit: {problems}")


def _retrigger(drop: dict[str, list[str]], create: dict[str, list[str]]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop[dialect]:
        found = re.match(r"CREATE TRIGGER (\w+) .*? ON (\w+)", statement)
        if found is not None:
            on = f" ON {found.group(2)}" if dialect == "postgresql" else ""
            op.execute(f"DROP TRIGGER IF EXISTS {found.group(1)}{on}")
    for statement in create[dialect]:
        op.execute(statement)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("proposals", sa.Column(name, type_, nullable=True))
    _checks(forward=True)
    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("option", sa.String(length=100), nullable=True),
        sa.CheckConstraint("kind IN ('amendment', 'alternative')", name=op.f("ck_amendments_kind")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_amendments_number")),
        sa.CheckConstraint(
            "status IN ('proposed', 'withdrawn', 'voting', 'accepted', 'rejected', 'on_ballot')",
            name=op.f("ck_amendments_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_amendments_created_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_amendments_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["proposals.id"], name=op.f("fk_amendments_vote_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
        sa.UniqueConstraint("proposal_id", "number", name=op.f("uq_amendments_proposal_id_number")),
    )
    op.create_index(op.f("ix_amendments_proposal_id"), "amendments", ["proposal_id"], unique=False)
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(hidden_at IS NULL AND hidden_by IS NULL AND hidden_reason IS NULL) OR (hidden_at IS NOT NULL AND hidden_by IS NOT NULL AND hidden_reason IS NOT NULL)",
            name=op.f("ck_comments_hidden"),
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_comments_revision")),
        sa.CheckConstraint(
            "stance IN ('for', 'against', 'question', 'note')", name=op.f("ck_comments_stance")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_comments_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"], ["people.id"], name=op.f("fk_comments_hidden_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_comments_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("proposal_id", "id", name=op.f("uq_comments_proposal_id_id")),
    )
    op.create_index(op.f("ix_comments_proposal_id"), "comments", ["proposal_id"], unique=False)
    op.create_table(
        "comment_versions",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stance IN ('for', 'against', 'question', 'note')",
            name=op.f("ck_comment_versions_stance"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_versions_comment_id_comments")
        ),
        sa.PrimaryKeyConstraint("comment_id", "revision", name=op.f("pk_comment_versions")),
    )
    _retrigger(TRIGGERS_OLD, TRIGGERS_NEW)


def downgrade() -> None:
    _retrigger(TRIGGERS_NEW, TRIGGERS_OLD)
    op.drop_table("comment_versions")
    op.drop_index(op.f("ix_comments_proposal_id"), table_name="comments")
    op.drop_table("comments")
    op.drop_index(op.f("ix_amendments_proposal_id"), table_name="amendments")
    op.drop_table("amendments")
    _checks(forward=False)
    for name, _ in reversed(COLUMNS):
        op.drop_column("proposals", name)
