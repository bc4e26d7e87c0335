"""Real concurrency for the race tests: each call in its own thread with its own database connection."""

from __future__ import annotations

import threading

from django.db import connection


def race(*calls) -> list[tuple[str, object]]:
    """Run every call in its own thread, all released at the same moment: ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", call())
        except Exception as e:  # the outcome is what the test looks at
            results[i] = ("error", e)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing thread hung (deadlock?)"
    return results


def outcomes(results) -> list[str]:
    """The sorted outcomes: "ok" or the error's class name."""
    return sorted(kind if kind == "ok" else type(value).__name__ for kind, value in results)
