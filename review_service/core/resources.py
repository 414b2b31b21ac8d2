"""Where the product's own files live: the process files, the packaged templates, the shipped catalogs.

They sit at the repository's top level (``workflows/bpmn``, ``opinion_templates``, ``catalogs``),
where people edit them. A checkout or an editable install reads them there; a built wheel carries a
copy under ``review_service/_resources/`` (``setup.py`` copies them at build time), read when the
top-level folders are not beside the package.
"""

from __future__ import annotations

from pathlib import Path

#: the folders copied into a wheel, by their path in the repository
SHIPPED = ("workflows/bpmn", "opinion_templates", "catalogs", "discretion")
_PACKAGE = Path(__file__).resolve().parents[1]


def resource_dir(relative: str) -> Path:
    """The folder ``relative`` (one of :data:`SHIPPED`) of the repository, or its copy in the wheel."""
    checkout = _PACKAGE.parent / relative
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_resources" / relative
