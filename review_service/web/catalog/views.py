"""The admin loads a catalog file (a refused file shows every fault line by line, file:line: reason) and
sees every version with its bindings and rule-by-rule diff; a review lead confirms or refuses a pending
(narrowing) version on ``/catalogs`` (:mod:`.confirm_views`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from review_service.catalog.loader import CatalogError
from review_service.catalog.models import CATALOG_STATUS_LABELS
from review_service.catalog.operations import load_catalog
from review_service.catalog.queries import catalog_listing
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.yaml_source import MAX_BYTES
from review_service.web.catalog.forms import CatalogUploadForm
from review_service.web.edge import acting, reading
from review_service.web.session import allow

bp = Blueprint("catalog", __name__, url_prefix="/admin")


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
    """The loaded catalog versions (status, bindings, diff), and the upload form."""
    form = CatalogUploadForm()
    faults: list[str] = []
    message = ""
    status = 200
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
                    pending = row.status == "pending"
            except CatalogError as error:
                faults, status = error.errors, 422
            except (Conflict, Invalid) as error:
                message, status = error.message, 422
            except Forbidden as error:
                message, status = error.message, 403
            else:
                flash(f"已加载目录清单 {loaded}" + ("；该版本收窄了审核范围，须经法制审核机构负责人确认后生效。"
                                                   if pending else "。"), "success")
                return redirect(url_for("catalog.catalogs"))
    with reading() as (session, actor):
        rows = catalog_listing(session, actor)
        return render_template("catalog/catalogs.html", form=form, faults=faults, message=message, catalogs=rows,
                               categories=CATEGORY_LABELS, statuses=CATALOG_STATUS_LABELS), status

