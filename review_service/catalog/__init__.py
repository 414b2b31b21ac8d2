"""The catalog (目录清单): load and validate ``catalogs/*.yaml``, classify a draft, check coverage.

Public API (DESIGN.md §6):

- :mod:`.fields` — :data:`FIELDS`, the draft fields a condition may test;
- :mod:`.loader` — :func:`parse_catalog`, :func:`check_file`, :func:`check_files`,
  :func:`coverage`, :func:`missing_categories`, :class:`CatalogError`;
- :mod:`.classify` — :func:`classify` → :class:`ClassificationResult`;
- :mod:`.operations` — :func:`load_catalog`, :func:`load_files` (audited, never commit);
- :mod:`.binding` — which agencies a load binds (what the uploader administers, or the operator names);
- :mod:`.diff` — the rule-by-rule diff, and the proof that a new version only widens;
- :mod:`.confirmation` — :func:`confirm_catalog`, :func:`refuse_catalog` (a narrowing version's second person);
- :mod:`.queries` — :func:`applicable_catalog` (by the bindings only), :func:`spec_of`.
"""

from review_service.catalog.classify import ClassificationResult, MatchedRule, classify
from review_service.catalog.fields import FIELDS, FieldSpec, FieldType
from review_service.catalog.loader import (
    CatalogError,
    check_file,
    check_files,
    check_text,
    coverage,
    missing_categories,
    parse_catalog,
)
from review_service.catalog.schema import CATEGORY_LABELS, CatalogSpec, Category

__all__ = [
    "CATEGORY_LABELS",
    "FIELDS",
    "CatalogError",
    "CatalogSpec",
    "Category",
    "ClassificationResult",
    "FieldSpec",
    "FieldType",
    "MatchedRule",
    "check_file",
    "check_files",
    "check_text",
    "classify",
    "coverage",
    "missing_categories",
    "parse_catalog",
]
