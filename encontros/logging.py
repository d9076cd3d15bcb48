"""Log formats for every process of the site (Django and gunicorn alike).

Three formats, chosen by LOG_FORMAT: `colored` for a terminal, `simple` for
plain-text log viewers, `json` (one object a line) for log aggregators. Every
line has the time, level, logger and message, then the context a caller
passed with `extra=` (e.g. `event_id`, `channel`).

Each line is scrubbed of secrets before it is written, whoever logged it: edit
tokens (they appear in URLs, e.g. in the access log), e-mail addresses and
passwords in connection URLs such as DATABASE_URL.
"""

import json
import logging
import re
from datetime import datetime

from events.edit_tokens import EDIT_TOKEN_PATTERN

_SECRETS = [
    # The edit link is the only credential an organizer has: redact a token
    # wherever it appears, and whatever follows the paths that carry one.
    (re.compile(rf"(?<![\w-]){EDIT_TOKEN_PATTERN}(?![\w-])"), "[redacted]"),
    (re.compile(r"(/events/edit/)[^/\s?#\"']+"), r"\1[redacted]"),
    (re.compile(r"(/api/events/by-token/)[^/\s?#\"']+"), r"\1[redacted]"),
    (re.compile(r"([?&](?:edit_)?token=)[^&\s\"']+"), r"\1[redacted]"),
    # user:password@ in any URL (database, cache, SMTP).
    (re.compile(r"(\w[\w+.-]*://)[^\s/@\"']*@"), r"\1[redacted]@"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
]

# Attributes every LogRecord has; anything else came from `extra=`.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


# Whatever a reader may take for the end of a line, and other control characters:
# a logged value holding one (a title, a path) must not start a forged line.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text):
    """The text with its control characters written as escapes (\\n, \\x1b)."""
    return _UNPRINTABLE.sub(lambda match: repr(match[0])[1:-1], str(text))


def redact(text):
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class LineFormatter(logging.Formatter):
    """Base of the three formats: one line a record, secrets removed."""

    def __init__(self, *, service="", version=""):
        super().__init__()
        self.service = service
        self.version = version

    def format(self, record):
        return redact(self.render(record))

    def render(self, record):
        raise NotImplementedError

    @staticmethod
    def time(record):
        return (
            datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")
        )

    @staticmethod
    def context(record):
        """The `extra=` fields of a record that can be written as plain values."""
        return {
            key: value
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES
            and not key.startswith("_")
            and isinstance(value, str | int | float | bool | None)
        }

    def text_line(self, record, time, level, logger):
        line = f"{time} {level} {logger} {one_line(record.getMessage())}"
        context = " ".join(
            f"{one_line(key)}={one_line(value)}" for key, value in self.context(record).items()
        )
        if context:
            line = f"{line} {context}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class SimpleFormatter(LineFormatter):
    def render(self, record):
        return self.text_line(record, self.time(record), f"{record.levelname:<7}", record.name)


class ColoredFormatter(LineFormatter):
    _LEVEL_COLORS = {
        "DEBUG": "\033[34m",
        "INFO": "\033[32m",
        "WARNING": "\033[33m",
        "ERROR": "\033[31m",
        "CRITICAL": "\033[1;31m",
    }
    _DIM, _CYAN, _RESET = "\033[2m", "\033[36m", "\033[0m"

    def render(self, record):
        color = self._LEVEL_COLORS.get(record.levelname, "")
        return self.text_line(
            record,
            f"{self._DIM}{self.time(record)}{self._RESET}",
            f"{color}{record.levelname:<7}{self._RESET}",
            f"{self._CYAN}{record.name}{self._RESET}",
        )


class JSONFormatter(LineFormatter):
    def render(self, record):
        line = {
            "time": self.time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "version": self.version,
            "pid": record.process,
            **self.context(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


FORMATTERS = {"colored": ColoredFormatter, "simple": SimpleFormatter, "json": JSONFormatter}


def logging_config(*, level, format_name, service, version):
    """The LOGGING dictionary: everything to stdout, in one format, at `level`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {"()": FORMATTERS[format_name], "service": service, "version": version},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "line",
                "level": level,
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django and gunicorn install handlers of their own: send their
            # records to the one handler above instead, so each line is written once.
            "django": {"handlers": [], "level": level, "propagate": True},
            # SQL parameters include private fields such as e-mail addresses.
            "django.db.backends": {"level": "INFO"},
            "gunicorn.error": {"handlers": [], "level": level, "propagate": True},
            "gunicorn.access": {"handlers": [], "level": level, "propagate": True},
        },
    }
