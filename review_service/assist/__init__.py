"""Similar past cases and the 同案不同罚 check at the reviewer's elbow (issue 20, parts 2 and 3).

- :mod:`.models`: one row per decided case (``similar_cases``) and the table's change count, written in the
  decision's transaction by :mod:`.receivers` (:mod:`.index`) and rebuilt from the record by
  :func:`.index.rebuild` (``review-service assist rebuild``);
- :mod:`.text`: Chinese tokenization (jieba) and the legal-basis keys (``laws.citations``);
- :mod:`.engine`: the in-memory BM25 index (bm25s) over those rows, kept equal to the table in every worker;
- :mod:`.queries`: :func:`~.queries.similar_cases`; :mod:`.outlier`: :func:`~.outlier.fine_outlier` (advice on
  review point 7); both scoped to the caller, both with ``as_json()`` for the pages and the API;
- :mod:`.evalset`, :mod:`.evalkinds`: the generated evaluation set and its measures (``assist evaluate``).
"""
