#!/usr/bin/env python
import os
import sys

from encontros.startup import load_settings_or_exit


def main():
    load_settings_or_exit()
    # Only the web server's metrics are scraped: a one-off command (migrate, shell)
    # must neither need the workers' metrics directory nor add its numbers to theirs.
    # (After the settings, which may read it from .env; before prometheus_client reads it.)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
