"""`python -m scaffold` runs the command line."""

from scaffold.cli import run_console

if __name__ == "__main__":
    run_console()
