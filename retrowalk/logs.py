"""Logging that keeps patient data out of the logs.

Exception messages can carry data (a database error quotes the row's values, a
mail error the address), so a logged exception keeps its type and its
traceback (file, line, code) and loses its message. A server error's log line
carries the reference the user saw on the error page.
"""

from __future__ import annotations

import logging
import traceback

WITHHELD = "[message withheld: it may contain patient data]"


def _traceback_without_messages(exc: BaseException) -> str:
    lines: list[str] = []
    seen: set[int] = set()
    chain: list[BaseException] = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    for link in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(link.__traceback__))
        lines.append(f"{type(link).__module__}.{type(link).__qualname__}: {WITHHELD}\n")
    return "".join(lines).rstrip("\n")


class RedactExceptions(logging.Filter):
    """Replace a record's exception text by its traceback without messages; add the error reference."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        reference = getattr(request, "error_reference", None)
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}\n{_traceback_without_messages(record.exc_info[1])}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        if reference:
            record.msg = f"[error reference {reference}] {record.getMessage()}"
            record.args = ()
        return True
