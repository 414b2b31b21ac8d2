"""The edge every request passes, shared by the API (``api/edge.py``) and the pages (``web/edge.py``).

- :mod:`.turn`: the app's runtime (:func:`runtime`), the write turn on SQLite (:func:`write_turn`) and a
  write transaction begun in it (:func:`writing`): every write of a request, API or page, runs in one.
- :mod:`.ahead`: the speed tricks before the turn, each named there with the test that pins it: restore
  ahead, step ahead, the JSON body parsed once.
- :mod:`.body`: a request body read whole within its limit, and text the database cannot hold refused.

The command line (``cli``) and the jobs (``tick``) open their transactions with ``Runtime.transaction``.
"""

from __future__ import annotations

from review_service.edge.ahead import Planned, Step, StepOf, from_json, json_body
from review_service.edge.body import check_text, read_body
from review_service.edge.turn import EXTENSION, runtime, write_turn, writing

__all__ = ["EXTENSION", "Planned", "Step", "StepOf", "check_text", "from_json", "json_body", "read_body",
           "runtime", "write_turn", "writing"]
