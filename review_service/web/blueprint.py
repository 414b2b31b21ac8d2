"""What every page shares before any page exists: the layout's blueprint (templates, ``/assets``) and CSRF."""

from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFProtect

#: The layout (``templates/base.html``), the error and login templates, and ``static/`` at ``/assets``.
web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")
csrf = CSRFProtect()
