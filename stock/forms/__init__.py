"""Web forms: they parse and validate what staff type; the services decide.

One module per concern (fields shared by all, products, documents, staff
operations); import a form from its module. add_service_error is also named
here for the other apps' views.
"""

from .fields import add_service_error

__all__ = ["add_service_error"]
