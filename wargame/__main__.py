"""``python -m wargame`` entry point."""

from wargame.cli.main import main

if __name__ == "__main__":
    main()
