"""The errors every app's services raise; interfaces turn them into API answers
(core.api_errors) and form errors.

A service raises a `ServiceError` for a request that is well-formed but cannot
be carried out; it never returns an error value. The API answers
`status_code` with `as_dict()` as the body; a web view shows `message`, on
`field` when it names one.
"""


class ServiceError(Exception):
    """A request that is well-formed but cannot be carried out as things stand.

    `message` is what the user reads; `field`, when given, names the input at
    fault (the API lists the message under `errors[field]`). Subclasses set
    `status_code` (the HTTP answer) and `code` (the machine-readable reason).
    """

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        """The API's one error shape: `errors` names the field, as for invalid
        input (`{"detail", "code", "errors": {field: [messages]}}`)."""
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body


class InvalidState(ServiceError):
    """The object is not in a state that allows the action (the API answers 409)."""

    code = "invalid_state"


class InvalidInput(ServiceError):
    """Input the service refuses on its own rules (the API answers 400)."""

    status_code = 400
    code = "invalid"
