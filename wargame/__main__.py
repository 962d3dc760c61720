"""``python -m wargame`` entry point."""

from wargame.cli.app import main

if __name__ == "__main__":
    main()
