"""``python -m mnist_desktop``: the same entry point as the ``mnist-desktop`` command."""

from mnist_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
