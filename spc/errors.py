"""Errors raised by the SPC engine."""


class SPCValidationError(ValueError):
    """Input that the engine cannot analyse. The message is meant for a person to read."""
