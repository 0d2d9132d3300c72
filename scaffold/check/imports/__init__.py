"""The import graph of a project and the import-order simulation over it."""
