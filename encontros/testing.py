"""Helpers shared by the test suites of the project."""

import os
import shutil

import pytest

# .ci/run sets this: there every check must run, and a missing tool is a failure.
STRICT = os.environ.get("STRICT_CHECKS") == "1"


def skip_or_fail(reason):
    """Skip on a machine that lacks an optional tool; fail under STRICT_CHECKS=1."""
    if STRICT:
        pytest.fail(f"{reason} (STRICT_CHECKS=1 requires it)")
    pytest.skip(reason)


def require_executable(name):
    """The path of a command-line tool, or skip/fail with a one-line reason naming it."""
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} is not installed")
    return path
