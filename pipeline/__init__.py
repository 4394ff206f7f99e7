"""workvalue: consistency analytics for senior executive classifications."""

__version__ = "0.1.0"
