"""Loading a catalog file (目录清单) by upload; confirming or refusing a pending version."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField


class CatalogUploadForm(FlaskForm):
    file = FileField("目录清单文件（YAML）")


class CatalogDecisionForm(FlaskForm):
    """A review lead confirms or refuses a pending (narrowing) catalog version."""

    catalog_row_id = HiddenField()
    decision = HiddenField()
    reason = TextAreaField("意见（退回时必填）")
