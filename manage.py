#!/usr/bin/env python
import os
import sys

from encontros.startup import load_settings_or_exit


def main():
    # Only the web server's metrics are scraped: a one-off command (migrate, shell)
    # must neither need the workers' metrics directory nor add its numbers to theirs.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    load_settings_or_exit()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
