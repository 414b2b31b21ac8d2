"""Issued documents (文书): the 法制审核意见书 and the records of each step, rendered from ``.docx`` templates.

- :mod:`.models`: the immutable ``documents`` row (one per issued file, stored by SHA-256).
- :mod:`.rendering`: docxtpl in a sandboxed, autoescaping Jinja environment; unsafe templates are refused:
  :func:`~.rendering.load_template` and :func:`~.rendering.render`, every failure a ``TemplateRefused``;
  :mod:`.sandbox` is the environment and its static check, :mod:`.docx_parts` the ``.docx`` split once into
  what is copied and what is rendered, :mod:`.lru` the bounded caches.
- :mod:`.budget`: what a render may spend (steps, time, value and output size, recursion): limits and budget;
  :mod:`.bounded_ops` checks operators, formats, calls, filters and tests against it, :mod:`.compiled_bounds`
  refuses what breaks a bound as written and builds the rest into the compiled template.
- :mod:`.templates`: what ``review-service template check|load`` (``cli.templates``) does (checked, trial-rendered,
  installed atomically, audited).
- :mod:`.context`: what each template kind is given (the context shapes are documented there).
- :mod:`.operations`: :func:`~.operations.issue_document` and one helper per workflow step;
  :mod:`.path_records`: the termination and transfer records of the paths.
- :mod:`.receivers`: each step's record issued when the step sends its signal (``core.signals``).
- :mod:`.queries`: :func:`~.queries.documents_for_case` for the API and the case page.
"""
