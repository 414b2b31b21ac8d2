"""The API fixtures, for the API tests of this domain."""

from tests.api.conftest import api, app  # noqa: F401
