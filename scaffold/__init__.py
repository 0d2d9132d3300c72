"""scaffold: generate Python modules and packages, and check their exports and imports."""

__version__ = "0.1.0"

# The project's home, and where each rule's documentation (docs/rules/CODE.md) is published:
# SARIF's informationUri and helpUri, the README and the generated projects link here.
HOME_URL = "https://github.com/scaffold-py/scaffold"
RULE_DOCS_URL = HOME_URL + "/blob/main/docs/rules/{code}.md"

__all__ = ["HOME_URL", "RULE_DOCS_URL", "__version__"]
