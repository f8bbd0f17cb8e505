#!/usr/bin/env python
"""Django's command-line utility for Zhongcao."""

import os
import sys
from pathlib import Path


def main() -> None:
    # site/ holds the configuration package (zhongcao); the folder itself cannot be
    # imported as "site", which is a standard-library module, so it goes on the path.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongcao.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
