"""briefgen: chronologies and claims registers into footnoted executive briefings."""

__version__ = "0.1.0"
