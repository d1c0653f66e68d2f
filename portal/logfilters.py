"""Logging filters: search queries and client addresses never reach a log line."""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")
_IP = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b"
    r"|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"
    r"|[0-9a-fA-F:]*::[0-9a-fA-F:]*[0-9a-fA-F]"
)


def _scrub(value):
    if isinstance(value, str):
        return _IP.sub("-", _QUERY.sub("", value))
    return value


class DropQueryStrings(logging.Filter):
    """Removes query strings and IP addresses from every record's message and arguments.

    runserver's `django.server` logger writes `"GET /services/?q=… HTTP/1.1" 200`;
    after this filter it writes `"GET /services/ HTTP/1.1" 200`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _scrub(arg) for key, arg in record.args.items()}
        return True
