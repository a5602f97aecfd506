#!/usr/bin/env python
"""Django's manage.py; the installed ``jiaozheng`` command does the same."""

from jiaozheng.cli import main

if __name__ == "__main__":
    main()
