"""`python -m scaffold` runs the command line."""

from scaffold.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
