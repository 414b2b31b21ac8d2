"""Paths the process takes besides review and decision: 撤回送审, 终止, 移送司法机关.

Each is a signal or a head's task of the BPMN process (``workflows/bpmn/major_decision_review.bpmn``),
an operation here (``operations.py``), its records (``models.py``), an API endpoint (``api/paths.py``)
and a form page (``views.py``). Its documents are issued by ``documents`` on the paths' signals
(``core.signals.paths``).
"""
