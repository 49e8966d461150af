"""Domain errors that carry a field name, so forms can show them where they belong."""


class DomainError(Exception):
    """A rule the user's request breaks; ``message`` is shown to the user (translated)."""

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params

    def __str__(self) -> str:
        """The English message with its values (the web layer translates ``message``)."""
        return self.message % self.params if self.params else self.message


class NotFound(DomainError):
    """The thing asked for does not exist or is not visible to the actor."""


class Forbidden(DomainError):
    """The actor may not do this."""
