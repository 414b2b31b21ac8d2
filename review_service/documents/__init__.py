"""Issued documents (文书): the 法制审核意见书 and the records of each step, rendered from ``.docx`` templates.

- :mod:`.models`: the immutable ``documents`` row (one per issued file, stored by SHA-256).
- :mod:`.rendering`: docxtpl in a sandboxed, autoescaping Jinja environment; unsafe templates are refused.
- :mod:`.context`: what each template kind is given (the context shapes are documented there).
- :mod:`.operations`: :func:`~.operations.issue_document` and one helper per workflow step.
- :mod:`.queries`: :func:`~.queries.documents_for_case` for the API and the case page.
"""
