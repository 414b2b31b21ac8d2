"""Indicator evidence (DESIGN.md §10): the registry of the Shaanxi indicators the product evidences,
their set-based measures over the domain rows and the audit trail, hand-entered figures (人工录入),
the report (JSON, XLSX, page) and the review statistics of indicators (80)–(82).
"""
