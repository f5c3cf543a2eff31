"""Ctrl-C and SIGTERM stop the preview once, cleanly, with no traceback from any process."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable


def stop_on_signals() -> Callable[[], None]:
    """Make the first signal raise KeyboardInterrupt in the main thread, even mid-build; return the undo.

    Later signals are ignored while shutting down; a forked process that inherits the handler
    falls back to the default action (see docs/design.md, "Preview").
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    signals = [signal.SIGINT, signal.SIGTERM]
    previous = {s: signal.getsignal(s) for s in signals}
    parent = os.getpid()
    stopping = [False]

    def handle(number: int, _: object) -> None:
        if os.getpid() != parent:
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        if not stopping[0]:
            stopping[0] = True
            raise KeyboardInterrupt

    for s in signals:
        signal.signal(s, handle)

    def restore() -> None:
        for s, handler in previous.items():
            signal.signal(s, handler)

    return restore
