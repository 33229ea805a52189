"""Privacy tests sign in as personas the way the console tests do."""

from tests.console.conftest import login

__all__ = ["login"]
