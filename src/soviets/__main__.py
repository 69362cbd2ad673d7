"""``python -m soviets``: the same as the ``soviets`` command."""

from soviets.cli import main

if __name__ == "__main__":
    main()
