"""scaffold: generate Python modules and packages, and check their exports and imports."""

__version__ = "0.1.0"

__all__ = ["__version__"]
