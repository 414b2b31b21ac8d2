"""The admin loads a catalog file; a refused file shows every fault line by line (file:line: reason)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from review_service.catalog.forms import CatalogUploadForm
from review_service.catalog.loader import CatalogError
from review_service.catalog.models import Catalog
from review_service.catalog.operations import load_catalog
from review_service.catalog.queries import latest_versions
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.core.errors import Conflict
from review_service.core.yaml_source import MAX_BYTES
from review_service.web.edge import acting, reading
from review_service.web.session import allow

bp = Blueprint("catalog", __name__, template_folder="templates", url_prefix="/admin")


def _read_upload(upload: Any) -> tuple[str, str] | list[str]:
    """The uploaded file's name and UTF-8 text, or the faults that stop it being read."""
    if upload is None or not getattr(upload, "filename", ""):
        return ["请选择要加载的目录清单文件。"]
    filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "catalog.yaml"
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return [f"{filename}: 文件超过大小上限（{MAX_BYTES} 字节）"]
    try:
        return filename, data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [f"{filename}:{line}: 文件不是 UTF-8 编码"]


@bp.route("/catalogs", methods=["GET", "POST"])
@allow("admin")
def catalogs() -> Any:
    """The loaded catalogs (latest version of each), and the upload form."""
    form = CatalogUploadForm()
    faults: list[str] = []
    message = ""
    if form.validate_on_submit():
        read = _read_upload(form.file.data)
        if isinstance(read, list):
            faults = read
        else:
            filename, text = read
            try:
                with acting() as (session, actor):
                    row = load_catalog(session, actor=actor, text=text, filename=filename)
                    loaded = f"{row.title}（{row.catalog_id} 第 {row.version} 版）"
            except CatalogError as error:
                faults = error.errors
            except Conflict as error:
                message = error.message
            else:
                flash(f"已加载目录清单 {loaded}。", "success")
                return redirect(url_for("catalog.catalogs"))
    with reading() as (session, _actor):
        rows: list[Catalog] = latest_versions(session)
        return render_template("catalog/catalogs.html", form=form, faults=faults, message=message, catalogs=rows,
                               categories=CATEGORY_LABELS), 422 if faults or message else 200
