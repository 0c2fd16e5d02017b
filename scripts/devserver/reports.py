# Why this exists: the page reports back to the terminal (patch applied, error shown) through
# POST /api/report. This module turns a body into a report and hands it to the one callback
# the dev loop registered; until it registers one, reports are printed.
from __future__ import annotations

import json
import sys
import threading
from typing import Any, Callable

Report = dict[str, Any]
ReportCallback = Callable[[Report], None]


class ReportError(ValueError):
    """The body is not a report: the answer is 400 with this message."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_report(body: bytes) -> Report:
    """The report in a request body: a UTF-8 JSON object."""
    try:
        report = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as error:
        raise ReportError(f"report is not UTF-8: {error.reason} at byte {error.start}") from error
    except (ValueError, RecursionError) as error:
        raise ReportError(f"report is not valid JSON: {error}") from error
    if not isinstance(report, dict):
        raise ReportError(f"report must be a JSON object, not {type(report).__name__}")
    return report


def print_report(report: Report) -> None:
    """The default callback: one line on standard output."""
    print("page report: " + json.dumps(report, ensure_ascii=False), file=sys.stdout, flush=True)


class ReportDispatcher:
    """Holds the registered callback and calls it, one report at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callback: ReportCallback = print_report

    def set_callback(self, callback: ReportCallback) -> None:
        if not callable(callback):
            raise TypeError("report callback must be callable")
        with self._lock:
            self._callback = callback

    def deliver(self, report: Report) -> None:
        # Serialised so the dev loop's callback need not be thread-safe.
        with self._lock:
            self._callback(report)
