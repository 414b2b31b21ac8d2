"""``/catalogs``: a review lead sees every catalog version with its diff and confirms or refuses a pending one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from review_service.catalog.confirmation import confirm_catalog, refuse_catalog
from review_service.catalog.models import CATALOG_STATUS_LABELS
from review_service.catalog.queries import catalog_listing
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from review_service.web.catalog.forms import CatalogDecisionForm
from review_service.web.edge import acting, reading
from review_service.web.session import allow

bp = Blueprint("catalog_review", __name__, url_prefix="/catalogs")


@bp.route("", methods=["GET", "POST"])
@allow("review_lead")
def pending() -> Any:
    """Every catalog version with its diff; a review lead confirms or refuses a pending one here."""
    form = CatalogDecisionForm()
    message = ""
    status = 200
    if form.validate_on_submit():
        try:
            row_id = _row_id(form.catalog_row_id.data)
            with acting() as (session, actor):
                if form.decision.data == "confirm":
                    row = confirm_catalog(session, actor=actor, catalog_row_id=row_id,
                                          data={"note": form.reason.data or ""})
                    done = f"已确认{row.label}，即日起适用。"
                else:
                    row = refuse_catalog(session, actor=actor, catalog_row_id=row_id,
                                         data={"reason": form.reason.data or ""})
                    done = f"已退回{row.label}，原版本继续适用。"
        except Invalid as error:
            message, status = (error.fields.get("reason") and "退回须填写理由。") or error.message, 422
        except (Conflict, NotFound) as error:
            message, status = error.message, 409 if isinstance(error, Conflict) else 404
        except Forbidden as error:
            message, status = error.message, 403
        else:
            flash(done, "success")
            return redirect(url_for("catalog_review.pending"))
    with reading() as (session, actor):
        rows = catalog_listing(session, actor)
        return render_template("catalog/pending.html", form=form, message=message, catalogs=rows,
                               statuses=CATALOG_STATUS_LABELS, categories=CATEGORY_LABELS), status


def _row_id(raw: Any) -> int:
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        raise Invalid("请选择要确认或退回的目录清单版本。", fields={"catalog_row_id": "无效"})
    return int(text)
