"""文号: each agency numbers each series of its documents per year, gap-free, in the issuing transaction.

A series is a document kind (``opinion`` …), ``decision`` (the decision's own 文号) or
``decision.<decision_type>`` when the agency's settings give that type a pattern of its own (by default
行政处罚 decisions: ``{prefix}罚〔{year}〕{n}号``, the rest ``{prefix}决〔{year}〕{n}号``). The patterns and
the 机关代字 are the agency's ``document_numbers`` setting
(:class:`~review_service.organization.settings.DocumentNumbering`, validated there); without a 机关代字 the
agency's full name stands in for it (names are unique, so numbers of two agencies never clash, and the long
number shows the admin what to set).

:func:`assign_number` takes the next ordinal with one upsert on ``document_number_sequences``
(``INSERT … ON CONFLICT DO UPDATE SET last_number = last_number + 1 RETURNING last_number``). On PostgreSQL the
statement is atomic and leaves the row locked until the transaction ends, so concurrent issuers of one series
queue on it and each gets the next ordinal; on SQLite every writing transaction begins ``IMMEDIATE``
(``core.db``), so writers are serialized anyway. The increment commits or rolls back with the action that
asked for it: a failed action gives its number back, so the series has no gaps.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from review_service.core import tx
from review_service.core.errors import Invalid
from review_service.documents.models import KIND_LABELS, UNNUMBERED_KINDS, DocumentNumberSequence
from review_service.organization.models import Agency
from review_service.organization.settings import DocumentNumbering, agency_settings

MAX_LENGTH = 100  # documents.number and decisions.number
DECISION = "decision"
NUMBERED_KINDS = tuple(kind for kind in KIND_LABELS if kind not in UNNUMBERED_KINDS)
_SEQUENCES = DocumentNumberSequence.__table__


def series_of(numbering: DocumentNumbering, kind: str, decision_type: str | None = None) -> str:
    """The series ``kind`` is numbered in: a decision type with a pattern of its own has its own series."""
    if kind == DECISION and decision_type and numbering.pattern_for(f"{DECISION}.{decision_type}"):
        return f"{DECISION}.{decision_type}"
    if kind != DECISION and kind not in NUMBERED_KINDS:
        raise ValueError(f"document kind {kind!r} gets no number")
    return kind


def format_number(pattern: str, *, prefix: str, year: int, n: int) -> str:
    """``西市监法审〔2026〕12号`` from ``{prefix}法审〔{year}〕{n}号`` (patterns are checked by the settings)."""
    return pattern.format(prefix=prefix, year=year, n=n)


def assign_number(session: Session, *, agency_id: int, kind: str, on: date, decision_type: str | None = None) -> str:
    """The next 文号 of ``kind`` (``decision``: the decision's, by ``decision_type``) for the agency in ``on``'s year.

    ``on`` is the Beijing date of issuing. The sequence row changes in the caller's transaction (see the
    module docstring); the caller stores the number in that same transaction. A number longer than the
    column (a long agency name as the 机关代字) is refused with a Chinese message before anything is written.
    """
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise ValueError(f"unknown agency {agency_id}")
    numbering = agency_settings(agency).document_numbers
    series = series_of(numbering, kind, decision_type)
    pattern = numbering.pattern_for(series)
    assert pattern is not None  # every series has a default pattern
    prefix = numbering.prefix or agency.name
    # the longest this year's number can get: refuse before the sequence moves
    if len(format_number(pattern, prefix=prefix, year=on.year, n=10**6)) > MAX_LENGTH:
        raise Invalid(f"文号超过 {MAX_LENGTH} 字：请为“{agency.name}”设置较短的机关代字（document_numbers.prefix）。")
    return format_number(pattern, prefix=prefix, year=on.year, n=_next_ordinal(session, agency_id, series, on.year))


def _next_ordinal(session: Session, agency_id: int, series: str, year: int) -> int:
    """Increment (or start at 1) the series' counter and return it, as one atomic statement."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = insert(_SEQUENCES).values(agency_id=agency_id, kind=series, year=year, last_number=1)
    statement = first.on_conflict_do_update(
        index_elements=[_SEQUENCES.c.agency_id, _SEQUENCES.c.kind, _SEQUENCES.c.year],
        set_={"last_number": _SEQUENCES.c.last_number + 1},
    ).returning(_SEQUENCES.c.last_number)
    return int(tx.write(session, statement).scalar_one())
