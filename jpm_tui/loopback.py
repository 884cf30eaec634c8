"""Which hosts are this machine: the one rule the config's URL checks and the HTTP client share. Apart from
``api/client.py`` so that reading the config loads no HTTP code (the board paints before it needs any)."""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback"]


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: where the sandbox runs, the only place plain http may go."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
