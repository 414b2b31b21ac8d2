"""Loading a catalog file (目录清单) by upload."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class CatalogUploadForm(FlaskForm):
    file = FileField("目录清单文件（YAML）")
