"""The payload of every audited action, one ``TypedDict`` each (the catalogue is :mod:`core.actions`).

A payload is what the action's audit event stores, as canonical JSON: so keys and value shapes are part of
the audit log and the API, and must not change. Keys an action sends only sometimes are ``NotRequired``.
``tests/core/test_action_catalogue.py`` runs a real lifecycle and checks every stored payload against these.

One module per area, as ``core/signals/`` is split: :mod:`.cases`, :mod:`.paths`, :mod:`.review`,
:mod:`.replies`, :mod:`.coordination`, :mod:`.decisions`, :mod:`.accountability`, :mod:`.documents`,
:mod:`.deadlines` (with :class:`~.deadlines.DeadlineInfo`, the shape every payload gives a deadline in),
:mod:`.reference` (calendar, catalog, indicator figures) and :mod:`.organization`. ``core.actions`` maps each
action to its payload in ``PAYLOADS``; only :data:`JsonObject`, shared by several areas, lives here.

No ``from __future__ import annotations`` in any module of this package: ``NotRequired`` must be seen when
the class is built so that ``__required_keys__`` / ``__optional_keys__`` are right on Python 3.11.
"""

from typing import Any

JsonObject = dict[str, Any]
