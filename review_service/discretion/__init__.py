"""裁量基准 (discretion benchmarks): per-agency tables of fine ranges by violation and level, and the range check.

A bottom-layer domain (sibling of ``catalog``): it imports only ``review_service.core``, so the review's advice
(point 7) and indicator (132) can both call :func:`.check.check_fine` with plain values.
"""
