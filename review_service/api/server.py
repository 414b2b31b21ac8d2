"""The production WSGI server: gunicorn with sync workers, each opening its own runtime.

Sync workers were chosen by measurement: threaded servers (gthread, waitress) gave
SQLite write p99 tails of 190–500 ms, sync worker processes 17–70 ms (README,
``bench/http.py``). Each worker builds the app after the fork, so no database
connection is ever shared between processes. Each worker also ends with its master
(:func:`stop_with_master`): a worker left behind by a killed master would go on serving and keep
the port from the next server.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import ipaddress
import multiprocessing
import os
import signal
import sys
import threading
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from review_service import create_app
from review_service.edge import EXTENSION

#: Responses a worker sends between two full collections of its heap (see :func:`collect_between_requests`).
COLLECT_EVERY = 50
NEVER_BY_ITSELF = 1 << 30  # the oldest generation's threshold: no full collection starts inside a request
_responses = [0]


def collect_between_requests(worker: Any, request: Any) -> None:
    """gunicorn's ``post_request`` hook: every ``COLLECT_EVERY`` responses, a full collection, here.

    The response has been sent, so no client waits for it, and on SQLite no writer waits behind
    it either; left to itself the collector starts a full collection in whichever allocation
    crosses its threshold, which under write load meant 15–60 ms inside a write turn.
    """
    _responses[0] += 1
    if _responses[0] % COLLECT_EVERY == 0:
        gc.collect()


#: Seconds an orphaned worker has to finish the request in hand before it ends anyway.
ORPHAN_GRACE = 2.0
#: How often a worker looks whether its master is still there (one ``getppid`` call).
WATCH_EVERY = 0.2
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def stop_with_master(arbiter: Any, worker: Any) -> None:
    """gunicorn's ``post_fork`` hook: the worker ends when its master does, within a few seconds.

    gunicorn's sync worker looks at its parent only when no connection is waiting, so under load
    a worker whose master was killed (kill -9, the OOM killer) served on for as long as clients
    came, and held the listening socket so that a new server could not bind the port. Here the
    kernel sends the worker SIGTERM when the master dies (Linux), and a watchdog thread, which
    also covers other systems and a master that died before this hook ran, sends it when the
    parent changes. SIGTERM is gunicorn's graceful stop: the worker answers the request in hand
    and accepts no other. One still busy after ``ORPHAN_GRACE`` seconds ends at once: an answer
    is sent only after its commit, so nothing acknowledged is lost, and an unfinished
    transaction is rolled back by the database.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl in this libc: the watchdog alone
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    threading.Thread(target=_watch_master, args=(worker.ppid,), name="master-watch", daemon=True).start()


def _watch_master(master: int) -> None:
    """The watchdog: once the parent is no longer ``master``, stop gracefully, and after the grace, at once."""
    while os.getppid() == master:
        time.sleep(WATCH_EVERY)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(ORPHAN_GRACE)
    os._exit(1)


def default_workers(database_url: str = "") -> int:
    """Workers by measurement (``bench/http.py``), at most eight (each holds one connection at a time).

    On SQLite one per core, at least two. Writers take turns there, and two workers keep the turn
    busy: one writes while the other reads its request, restores its case ahead and answers the
    one before. A worker more than the cores only takes CPU from the worker holding the turn (2
    cores: write turns of 11.0 ms and p99 206 ms at 3 workers, 8.9 ms and 169 ms at 2). The same
    holds for PostgreSQL on this host (loopback or a local socket): the server's own processes
    share the cores, and on 2 cores 5 workers gave read p99 43 ms and write p99 247-260 ms where 2
    gave 33 ms and 165 ms. A PostgreSQL server on another host leaves the cores to the workers,
    whose writers to different cases do not wait for each other: two per core plus one.
    """
    cores = multiprocessing.cpu_count()
    per_core = max(cores, 2)
    if database_url.startswith("sqlite") or _database_on_this_host(database_url):
        return min(per_core, 8)
    return min(2 * cores + 1, 8)


def _database_on_this_host(database_url: str) -> bool:
    """A PostgreSQL URL whose server runs here: no host (a local socket), ``localhost`` or a loopback address."""
    if not database_url:
        return False
    try:
        host = make_url(database_url).host
    except ArgumentError:
        return False
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server(BaseApplication):
    """gunicorn, configured in code (no gunicorn.conf.py is read)."""

    def __init__(self, options: dict[str, Any], config: dict[str, Any] | None = None) -> None:
        self.options = options
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in the worker, load what actions need, then freeze the heap built so far.

        ``gc.freeze`` moves every object alive now (the app, the parsed process, the templates,
        imported modules) out of the collector's reach: measured under write load, full
        collections over that heap took 85–240 ms inside requests, which were the write p99.
        From then on full collections run only between requests (:func:`collect_between_requests`);
        the young generations are still collected as usual. On SQLite the worker also checkpoints
        the WAL from a thread of its own (``core.wal``), so that no commit waits for the disk.
        """
        app = create_app(self.app_config)
        runtime = app.extensions[EXTENSION]
        runtime.warm_up()
        runtime.checkpoint_in_background()
        atexit.register(runtime.close)
        gc.collect()
        gc.freeze()
        young, middle, _old = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER_BY_ITSELF)
        return app


def serve(host: str = "127.0.0.1", port: int = 5000, workers: int | None = None,
          config: dict[str, Any] | None = None, **options: Any) -> None:
    """Run the service until stopped (SIGTERM / Ctrl-C)."""
    settings = {"bind": f"{host}:{port}", "workers": workers or default_workers(), "worker_class": "sync",
                "timeout": 60, "graceful_timeout": 10, "keepalive": 5, "accesslog": None, "errorlog": "-",
                "loglevel": "warning", "proc_name": "review-service", "post_request": collect_between_requests,
                "post_fork": stop_with_master, **options}
    Server(settings, config).run()
