"""Serve: start the Streamlit dashboard on a warehouse, as `workvalue dashboard` does.

The warehouse and the agency are checked before any server starts (a missing warehouse or an
agency it holds no positions of exits 2). The server listens on 127.0.0.1 unless --host opens it
to other machines (then put it behind the organisation's sign-on proxy: it has no login). The
Streamlit server is this command's child: SIGTERM, SIGINT and SIGHUP to the command are passed
on to it, and on Linux it is told to stop if the command itself dies, so that no server outlives
the command.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from pipeline.errors import InputError
from pipeline.warehouse import connect, table_names

DASHBOARD_APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def check_servable(warehouse: Path, agency: str | None) -> None:
    """Raise WarehouseError if the warehouse cannot be read, InputError if it lacks the agency."""
    connection = connect(warehouse, read_only=True)
    try:
        if agency is None:
            return
        known = ([code for (code,) in connection.execute(
            "select distinct agency_code from positions where agency_code is not null"
            " order by 1").fetchall()] if "positions" in table_names(connection) else [])
    finally:
        connection.close()
    if agency not in known:
        listed = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        raise InputError(f"agency {agency} has no positions in warehouse {warehouse}"
                         f" (agencies: {listed or 'none'}); check the code given to --agency")


def streamlit_command(warehouse: Path, port: int, host: str, agency: str | None) -> list[str]:
    """Return the command line that serves the dashboard app on the warehouse."""
    command = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
               "--server.port", str(port), "--server.address", host,
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--", "--warehouse", str(warehouse)]
    return command + (["--agency", agency] if agency else [])


def serve(command: list[str]) -> int:
    """Return the exit code of the server started with command, passing signals on to it.

    A server ended by a signal gives 128 + its number, as a shell reports it.
    """
    child = subprocess.Popen(command, preexec_fn=_stop_with_parent)
    previous = {number: signal.getsignal(number) for number in FORWARDED}

    def forward(number: int, _frame: FrameType | None) -> None:
        """Pass a signal on to the server."""
        if child.poll() is None:
            child.send_signal(number)

    for number in FORWARDED:
        signal.signal(number, forward)
    try:
        code = child.wait()
        return 128 - code if code < 0 else code
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if child.poll() is None:
            child.terminate()
            child.wait()


def _stop_with_parent() -> None:
    """Ask Linux to send this (child) process SIGTERM when its parent dies; elsewhere nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
