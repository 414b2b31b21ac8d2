"""Fixtures for the catalogue of attacks: the pages' app (its world has an admin, an auditor and a
handler of a lower agency besides the shared world's users), a logged-in browser per user, and the
JSON client on the same app."""

from tests.api.conftest import api  # noqa: F401
from tests.web.conftest import app, as_user, browser, web_world  # noqa: F401
