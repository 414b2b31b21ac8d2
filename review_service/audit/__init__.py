"""The audit trail: an append-only, hash-chained log of every state change (DESIGN.md §4.4–4.5, §9).

Nothing here registers itself on import: the app or CLI bootstrap calls
:func:`review_service.audit.receivers.connect` explicitly.
"""
