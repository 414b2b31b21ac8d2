"""The catalogue of audited actions: every name :func:`core.signals.emit` may send, documented and typed.

An action is named ``subject_past_tense_verb``. Its value is stored in the audit log's ``action`` column,
hashed into the chain and returned by the API: **never rename a value**; add a member instead. Each member
carries its documentation (who sends it, when) as its ``__doc__``, and :data:`PAYLOADS` names the
``TypedDict`` of the payload it sends (:mod:`core.payloads`, a module per area).

Code that matches actions (indicators, checkpoints, the accountability chain, labels of pages) names them
as ``Action.X``: a typo is an ``AttributeError`` at import, not a rule that silently matches nothing.
``Action`` is a ``StrEnum``, so a member equals its stored string (``Action.DECISION_MADE == "decision_made"``)
and SQL comparisons, dict look-ups with a row's ``action`` and JSON output behave as with the plain string.

:class:`ChainAction` holds the few actions that appear only in the accountability chain (people who took part
in another person's act); they are never emitted nor stored.
"""

from __future__ import annotations

import enum
from typing import Self

from review_service.core.payloads import (
    accountability,
    cases,
    coordination,
    deadlines,
    decisions,
    discretion,
    documents,
    notifications,
    organization,
    paths,
    reference,
    replies,
    review,
)


class _DocumentedEnum(enum.StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = "value", "documentation"``.

    ``doc`` defaults to empty only so that ``Action("case_created")`` (look-up by value) type-checks; a member
    declared without documentation fails ``tests/core/test_action_catalogue.py``.
    """

    _value_: str

    def __new__(cls, value: str, doc: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.__doc__ = doc
        return member


class Action(_DocumentedEnum):
    """An audited action (see the module docstring); the member's ``__doc__`` says who sends it and when."""

    # cases: drafting and submission (handler, unit head)
    CASE_CREATED = "case_created", "The handler created a case with its first draft (cases.operations)."
    DRAFT_UPDATED = "draft_updated", "The handler saved a new draft version (cases.operations)."
    MATERIAL_ATTACHED = "material_attached", "The handler uploaded a material to the case (cases.operations)."
    CASE_SUBMITTED = "case_submitted", (
        "The handler submitted the case for legal review, attesting the materials (cases.operations).")
    SUBMISSION_SIGNED_OFF = "submission_signed_off", "The unit head signed the submission off (cases.operations)."
    SUBMISSION_SENT_BACK = "submission_sent_back", (
        "The unit head sent the submission back to the handler (cases.operations).")
    MATERIALS_SUPPLEMENTED = "materials_supplemented", (
        "The handler supplemented the materials the reviewer found missing at intake (cases.operations).")
    POSSIBLE_SPLIT_FLAGGED = "possible_split_flagged", (
        "On submission, related cases of the same counterparty were flagged as a possible split (cases.splits).")
    CASE_REASSIGNED = "case_reassigned", "The unit head gave the case to another handler (cases.reassignment)."
    CASE_SUSPENDED = "case_suspended", "The handler or head suspended the case (cases.suspension)."
    CASE_RESUMED = "case_resumed", (
        "The handler or head resumed a suspended case; its deadlines moved on (cases.suspension).")
    DOWNGRADE_REQUESTED = "downgrade_requested", (
        "The handler asked to treat a catalog-major case as not major (cases.downgrades).")
    DOWNGRADE_CONFIRMED = "downgrade_confirmed", "The review lead confirmed a downgrade request (cases.downgrades)."
    DOWNGRADE_REFUSED = "downgrade_refused", "The review lead refused a downgrade request (cases.downgrades)."
    WORKFLOW_CONTINUED = "workflow_continued", (
        "The system continued a long process run in a new generation while completing a step (cases.flow).")
    PROCESS_MIGRATED = "process_migrated", (
        "The operator moved an open case to another process definition by a migration plan (cases.migration).")
    STORAGE_SWEPT = "storage_swept", (
        "The system (tick or CLI) removed or restored stray blob files (cases.blob_sweep).")

    # process paths: withdrawal, termination, transfer (handler, head)
    SUBMISSION_WITHDRAWN = "submission_withdrawn", "The handler withdrew the submission (paths.operations)."
    TERMINATION_REQUESTED = "termination_requested", (
        "The handler asked the head to terminate the case (paths.operations).")
    CASE_TERMINATED = "case_terminated", "The head approved the termination request (paths.operations)."
    TERMINATION_REFUSED = "termination_refused", "The head refused the termination request (paths.operations)."
    CASE_TRANSFERRED = "case_transferred", "The head transferred the case to a judicial organ (paths.operations)."
    TRANSFER_DECLINED = "transfer_declined", "The head decided not to transfer the case (paths.operations)."

    # review (review lead, reviewer, advisor)
    REVIEWER_ASSIGNED = "reviewer_assigned", (
        "The review lead assigned the reviewer (and advisors) to the case (review.operations).")
    REVIEWER_REASSIGNED = "reviewer_reassigned", (
        "The review lead replaced the reviewer (and advisors) of the case (review.operations).")
    RECUSAL_DECLARED = "recusal_declared", (
        "An assigned reviewer or advisor declared no conflict of interest, or recused (review.recusal).")
    INTAKE_RECORDED = "intake_recorded", (
        "The reviewer recorded whether the materials are complete (review.operations).")
    OPINION_SUBMITTED = "opinion_submitted", "The reviewer submitted the review opinion of a round (review.operations)."
    REVIEW_MATERIALS_REQUESTED = "review_materials_requested", (
        "The case's reviewer asked the handling unit for more materials during the review; the review period "
        "stands still until they arrive (deadlines.materials_requests).")
    REVIEW_MATERIALS_ANSWERED = "review_materials_answered", (
        "The handler answered the reviewer's request for materials; the review period counts again "
        "(deadlines.materials_requests).")
    REVIEW_MATERIALS_LAPSED = "review_materials_lapsed", (
        "The review ended before the requested materials came (the opinion, a withdrawal): the request ended "
        "unanswered (deadlines.tracking).")
    OPINION_DRAFT_SAVED = "opinion_draft_saved", (
        "The reviewer saved the unsubmitted opinion of a round (暂存, review.opinion_drafts).")

    # replies and coordination (handler, head)
    REPLY_SUBMITTED = "reply_submitted", "The handler replied in writing to the review opinion (replies.operations)."
    CASE_RESUBMITTED = "case_resubmitted", (
        "The handler resubmitted the amended case for another review round (replies.operations).")
    CASE_ABANDONED = "case_abandoned", (
        "The handler closed the case without a decision after the opinion (replies.operations).")
    CASE_COORDINATED = "case_coordinated", "The head coordinated a disputed opinion (coordination.operations)."
    COLLECTIVE_DISCUSSION_RECORDED = "collective_discussion_recorded", (
        "The head recorded a collective discussion of the case (coordination.discussion_records).")
    CASE_FLAGGED_COMPLEX = "case_flagged_complex", (
        "The head or review lead found the case complex: it needs a collective discussion "
        "(coordination.discussion_records).")

    # decisions and their publicity (head, handler)
    DECISION_MADE = "decision_made", (
        "The head approved the decision (decisions.operations); checkpointed at once (audit.schedule).")
    CASE_RETURNED = "case_returned", "The head returned the case instead of approving it (decisions.operations)."
    DECISION_PUBLISHED = "decision_published", "The handler or head published the decision (decisions.publicity)."
    DECISION_REVOKED = "decision_revoked", (
        "The handler or head recorded that the decision was revoked, confirmed illegal or ordered remade "
        "(decisions.publicity); opens an accountability inquiry and is checkpointed at once.")
    DECISION_WITHDRAWN = "decision_withdrawn", (
        "The handler or head withdrew the publication of a revoked decision (decisions.publicity).")

    # accountability (auditor, or the system when a decision is revoked)
    INQUIRY_OPENED = "inquiry_opened", (
        "An accountability inquiry was opened, by the system on a revocation (accountability.operations).")
    FINDING_RECORDED = "finding_recorded", (
        "The auditor proposed (or re-proposed) the finding on one person of the chain: grounds, responsibility, "
        "exemption, sanction (accountability.operations); the configured decider decides it.")
    FINDING_DECIDED = "finding_decided", (
        "The decider (agency setting accountability_decider, default the head) confirmed the auditor's proposed "
        "finding on one person (accountability.operations).")
    FINDING_RETURNED = "finding_returned", (
        "The decider returned the auditor's proposed finding on one person, with a reason "
        "(accountability.operations).")
    INQUIRY_GROUNDS_RECORDED = "inquiry_grounds_recorded", (
        "The auditor recorded the revocation's grounds on the inquiry, the registration having named none "
        "(accountability.operations).")
    INQUIRY_CLOSED = "inquiry_closed", (
        "The auditor closed the inquiry and issued its record (accountability.operations).")

    # documents and deadlines (the acting user, or the system)
    DOCUMENT_ISSUED = "document_issued", (
        "A step issued a document (opinion, reply, approval record …) for the case (documents.operations).")
    TEMPLATE_LOADED = "template_loaded", "The CLI installed an instance document template (documents.templates)."
    DEADLINES_UPDATED = "deadlines_updated", (
        "A step opened or closed the case's deadlines (deadlines.tracking).")
    DEADLINE_TIMERS_FIRED = "deadline_timers_fired", (
        "The system saw the process's deadline timers fire and sent reminders (deadlines.tracking).")
    DEADLINE_REMINDED = "deadline_reminded", "tick sent a reminder of a watched deadline (jobs.tick)."
    REVIEW_DEADLINE_EXTENDED = "review_deadline_extended", (
        "The review lead extended the open review deadline (deadlines.operations).")
    DEADLINE_RECOMPUTED = "deadline_recomputed", (
        "A provisional deadline was counted again on a loaded calendar year (deadlines.operations).")
    DEADLINE_PAUSED = "deadline_paused", (
        "The review body asked for materials: the review period stopped counting (deadlines.tracking).")
    DEADLINE_RESUMED = "deadline_resumed", (
        "The missing materials arrived: the review period counts again, or anew (deadlines.tracking).")
    REVIEW_EXTENSION_REQUESTED = "review_extension_requested", (
        "The reviewer or review lead asked for the review period's one extension (deadlines.operations).")
    REVIEW_EXTENSION_REFUSED = "review_extension_refused", (
        "The approving role refused a requested review extension (deadlines.operations).")
    DECISION_LIMIT_EXTENDED = "decision_limit_extended", (
        "The head recorded an approved extension of the art. 60 decision limit (deadlines.limit_operations).")
    EXCLUDED_PERIOD_RECORDED = "excluded_period_recorded", (
        "The handler or head recorded a period the art. 60 limit does not count (deadlines.limit_operations).")
    PUBLICATION_EXEMPTED = "publication_exempted", (
        "A decision needs no publication (警告 only, or a type the agency lists): no publish deadline "
        "(deadlines.tracking).")

    # reference data (admin, or the system from the CLI)
    CALENDAR_YEAR_LOADED = "calendar_year_loaded", (
        "An admin (or the CLI) loaded a year's holiday arrangement (calendar.operations).")
    CATALOG_LOADED = "catalog_loaded", "An admin (or the CLI) loaded a catalog version (catalog.operations)."
    CATALOG_CONFIRMED = "catalog_confirmed", (
        "A review lead whose scope it narrows confirmed a pending catalog version (catalog.confirmation).")
    CATALOG_REFUSED = "catalog_refused", (
        "A review lead whose scope it narrows refused a pending catalog version (catalog.confirmation).")
    INDICATOR_FIGURE_RECORDED = "indicator_figure_recorded", (
        "A user (or the CLI) entered a hand-kept indicator figure (indicators.operations).")
    DISCRETION_BENCHMARK_LOADED = "discretion_benchmark_loaded", (
        "An admin (or the CLI) loaded a new version of an agency's 裁量基准 (discretion.operations).")
    LAW_LIBRARY_LOADED = "law_library_loaded", (
        "An admin (or the CLI) loaded laws and their articles into the law library (laws.operations).")

    # organization and sign-in (admin, the user themself, or the system)
    AGENCY_ADDED = "agency_added", "An admin (or the CLI) added an agency (organization.operations)."
    USER_ADDED = "user_added", "An admin (or the CLI) added a user (organization.operations)."
    ROLE_GRANTED = "role_granted", "An admin (or the CLI) granted a user a role (organization.operations)."
    ROLE_REVOKED = "role_revoked", "An admin (or the CLI) took a role from a user (organization.operations)."
    USER_DISABLED = "user_disabled", (
        "An admin (or the CLI) disabled a user, revoking tokens and sessions (organization.auth).")
    TOKEN_ISSUED = "token_issued", "A user (or an admin for them) was issued an API token (organization.operations)."
    TOKEN_REVOKED = "token_revoked", "A user revoked their API token (organization.auth)."
    USER_LOGGED_IN = "user_logged_in", "A user signed in with the right password (organization.auth)."
    USER_LOGGED_OUT = "user_logged_out", "A user signed out (organization.auth)."
    LOGIN_FAILED = "login_failed", (
        "The system refused a sign-in; the payload keeps the real reason (organization.auth).")
    ACCOUNT_LOCKED = "account_locked", (
        "The system locked an account after too many wrong passwords (organization.auth).")
    PASSWORD_RESET = "password_reset", (
        "An admin reset a user's password, ending their sessions and tokens (organization.operations).")
    ACCOUNT_UNLOCKED = "account_unlocked", (
        "An admin unlocked an account locked after too many wrong passwords (organization.auth).")
    PASSWORD_CHANGED = "password_changed", (
        "A user changed their own password, ending their other sessions and tokens; ``forced`` after an admin "
        "handed them one (organization.operations).")
    AGENCY_SETTINGS_CHANGED = "agency_settings_changed", (
        "The operator (CLI) changed an agency's settings; the payload keeps each changed key before and after "
        "(organization.operations).")
    UNIT_ADDED = "unit_added", (
        "An admin (or the CLI) added an internal unit (内设机构) to an agency (organization.units).")
    UNIT_RENAMED = "unit_renamed", "An admin (or the CLI) renamed an internal unit (organization.units)."
    UNIT_DEACTIVATED = "unit_deactivated", (
        "An admin (or the CLI) retired an internal unit; its members no longer sit in it (organization.units).")
    USER_UNIT_ASSIGNED = "user_unit_assigned", (
        "An admin (or the CLI) placed a user in an internal unit of their agency, or in none (organization.units).")
    NOTIFICATIONS_READ = "notifications_read", (
        "A user marked their reminders (站内提醒) as read in the inbox (notifications.operations).")


class ChainAction(_DocumentedEnum):
    """Acts shown in the accountability chain for people who took part in another person's act.

    Never emitted nor stored in the audit log: :func:`accountability.queries.responsibility_chain` derives them
    from the emitted event (``opinion_submitted``, ``collective_discussion_recorded``, ``case_coordinated``,
    ``decision_made`` …) and the rows it names.
    """

    OPINION_ASSISTED = "opinion_assisted", "An advisor of the review helped with the opinion of a round."
    COLLECTIVE_DISCUSSION_CHAIRED = "collective_discussion_chaired", "A head chaired a recorded collective discussion."
    COLLECTIVE_DISCUSSION_ATTENDED = "collective_discussion_attended", (
        "A person took part in a collective discussion (recorded, or noted on a coordination or approval).")


# The payload each action sends: the stored audit payload is one of these (checked against a real lifecycle).
PAYLOADS: dict[Action, type] = {
    Action.CASE_CREATED: cases.CaseCreated,
    Action.DRAFT_UPDATED: cases.DraftUpdated,
    Action.MATERIAL_ATTACHED: cases.MaterialAttached,
    Action.CASE_SUBMITTED: cases.CaseSubmitted,
    Action.SUBMISSION_SIGNED_OFF: cases.SubmissionDecided,
    Action.SUBMISSION_SENT_BACK: cases.SubmissionDecided,
    Action.MATERIALS_SUPPLEMENTED: cases.MaterialsSupplemented,
    Action.POSSIBLE_SPLIT_FLAGGED: cases.PossibleSplitFlagged,
    Action.CASE_REASSIGNED: cases.CaseReassigned,
    Action.CASE_SUSPENDED: cases.CaseSuspended,
    Action.CASE_RESUMED: cases.CaseResumed,
    Action.DOWNGRADE_REQUESTED: cases.DowngradeRequested,
    Action.DOWNGRADE_CONFIRMED: cases.DowngradeDecided,
    Action.DOWNGRADE_REFUSED: cases.DowngradeDecided,
    Action.WORKFLOW_CONTINUED: cases.WorkflowContinued,
    Action.PROCESS_MIGRATED: cases.ProcessMigrated,
    Action.STORAGE_SWEPT: cases.StorageSwept,
    Action.SUBMISSION_WITHDRAWN: paths.SubmissionWithdrawn,
    Action.TERMINATION_REQUESTED: paths.TerminationRequested,
    Action.CASE_TERMINATED: paths.TerminationDecided,
    Action.TERMINATION_REFUSED: paths.TerminationDecided,
    Action.CASE_TRANSFERRED: paths.CaseTransferred,
    Action.TRANSFER_DECLINED: paths.TransferDeclined,
    Action.REVIEWER_ASSIGNED: review.ReviewerAssigned,
    Action.REVIEWER_REASSIGNED: review.ReviewerReassigned,
    Action.RECUSAL_DECLARED: review.RecusalDeclared,
    Action.INTAKE_RECORDED: review.IntakeRecorded,
    Action.OPINION_SUBMITTED: review.OpinionSubmitted,
    Action.OPINION_DRAFT_SAVED: review.OpinionDraftSaved,
    Action.REVIEW_MATERIALS_REQUESTED: review.ReviewMaterialsRequested,
    Action.REVIEW_MATERIALS_ANSWERED: review.ReviewMaterialsAnswered,
    Action.REVIEW_MATERIALS_LAPSED: review.ReviewMaterialsLapsed,
    Action.REPLY_SUBMITTED: replies.ReplySubmitted,
    Action.CASE_RESUBMITTED: replies.CaseResubmitted,
    Action.CASE_ABANDONED: replies.CaseAbandoned,
    Action.CASE_COORDINATED: coordination.CaseCoordinated,
    Action.COLLECTIVE_DISCUSSION_RECORDED: coordination.CollectiveDiscussionRecorded,
    Action.CASE_FLAGGED_COMPLEX: coordination.CaseFlaggedComplex,
    Action.DECISION_MADE: decisions.DecisionMade,
    Action.CASE_RETURNED: decisions.CaseReturned,
    Action.DECISION_PUBLISHED: decisions.DecisionPublished,
    Action.DECISION_REVOKED: decisions.DecisionRevoked,
    Action.DECISION_WITHDRAWN: decisions.DecisionWithdrawn,
    Action.INQUIRY_OPENED: accountability.InquiryOpened,
    Action.FINDING_RECORDED: accountability.FindingRecorded,
    Action.FINDING_DECIDED: accountability.FindingDecided,
    Action.FINDING_RETURNED: accountability.FindingDecided,
    Action.INQUIRY_GROUNDS_RECORDED: accountability.InquiryGroundsRecorded,
    Action.INQUIRY_CLOSED: accountability.InquiryClosed,
    Action.DOCUMENT_ISSUED: documents.DocumentIssued,
    Action.TEMPLATE_LOADED: documents.TemplateLoaded,
    Action.DEADLINES_UPDATED: deadlines.DeadlinesUpdated,
    Action.DEADLINE_TIMERS_FIRED: deadlines.DeadlineTimersFired,
    Action.DEADLINE_REMINDED: deadlines.DeadlineSent,
    Action.REVIEW_DEADLINE_EXTENDED: deadlines.ReviewDeadlineExtended,
    Action.DEADLINE_RECOMPUTED: deadlines.DeadlineRecomputed,
    Action.DEADLINE_PAUSED: deadlines.DeadlinePaused,
    Action.DEADLINE_RESUMED: deadlines.DeadlineResumed,
    Action.REVIEW_EXTENSION_REQUESTED: deadlines.ReviewExtensionRequested,
    Action.REVIEW_EXTENSION_REFUSED: deadlines.ReviewExtensionDecided,
    Action.DECISION_LIMIT_EXTENDED: deadlines.DecisionLimitExtended,
    Action.EXCLUDED_PERIOD_RECORDED: deadlines.ExcludedPeriodRecorded,
    Action.PUBLICATION_EXEMPTED: deadlines.PublicationExempted,
    Action.CALENDAR_YEAR_LOADED: reference.CalendarYearLoaded,
    Action.CATALOG_LOADED: reference.CatalogLoaded,
    Action.CATALOG_CONFIRMED: reference.CatalogDecided,
    Action.CATALOG_REFUSED: reference.CatalogDecided,
    Action.INDICATOR_FIGURE_RECORDED: reference.IndicatorFigureRecorded,
    Action.DISCRETION_BENCHMARK_LOADED: discretion.DiscretionBenchmarkLoaded,
    Action.LAW_LIBRARY_LOADED: reference.LawLibraryLoaded,
    Action.AGENCY_ADDED: organization.AgencyAdded,
    Action.USER_ADDED: organization.UserAdded,
    Action.ROLE_GRANTED: organization.RoleChanged,
    Action.ROLE_REVOKED: organization.RoleChanged,
    Action.USER_DISABLED: organization.UserDisabled,
    Action.TOKEN_ISSUED: organization.TokenIssued,
    Action.TOKEN_REVOKED: organization.UserOnly,
    Action.USER_LOGGED_IN: organization.UserOnly,
    Action.USER_LOGGED_OUT: organization.UserOnly,
    Action.LOGIN_FAILED: organization.LoginFailed,
    Action.ACCOUNT_LOCKED: organization.AccountLocked,
    Action.PASSWORD_RESET: organization.PasswordReset,
    Action.ACCOUNT_UNLOCKED: organization.AccountUnlocked,
    Action.PASSWORD_CHANGED: organization.PasswordChanged,
    Action.AGENCY_SETTINGS_CHANGED: organization.AgencySettingsChanged,
    Action.UNIT_ADDED: organization.UnitAdded,
    Action.UNIT_RENAMED: organization.UnitRenamed,
    Action.UNIT_DEACTIVATED: organization.UnitDeactivated,
    Action.USER_UNIT_ASSIGNED: organization.UserUnitAssigned,
    Action.NOTIFICATIONS_READ: notifications.NotificationsRead,
}
