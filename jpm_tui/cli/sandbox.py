"""``jpm-tui sandbox serve``: serve a backend's sandbox over HTTP and print a profile for it."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from ..config import config_path, display_path
from .common import (
    CliError,
    Common,
    Subparsers,
    _backend_names,
    _port,
    _positive_float,
    _positive_int,
    _reason,
    command_group,
)


@command_group
def _sandbox_commands(sub: Subparsers, common: Common) -> None:
    sandbox = sub.add_parser("sandbox", help="a sandbox server of each backend (ServiceTitan, FSM Navigator, BigChange)",
                             description="A sandbox server of each backend: ServiceTitan, FSM Navigator, BigChange.")
    actions = sandbox.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve", help="serve the sandbox over HTTP and print a profile for it",
        description="Serve a backend's sandbox over HTTP until Ctrl+C / SIGTERM. When ready, prints a profile to "
                    "paste into the config: [profiles.sandbox] for servicetitan, [profiles.fsm-sandbox] for "
                    "fsm-navigator, [profiles.bigchange-sandbox] for bigchange.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any free port)")
    serve.add_argument("--jobs", type=_positive_int, default=200, metavar="N", help="jobs to generate (default 200)")
    serve.add_argument("--seed", type=int, default=1, metavar="S", help="data generator seed (default 1)")
    serve.add_argument("--token-lifetime", type=_positive_int, metavar="S", default=None,
                       help="access token lifetime in seconds (default: the sandbox's, 900)")
    serve.add_argument("--rate-limit", type=_positive_float, metavar="R", default=None,
                       help="requests per second before 429 (default: the sandbox's, 60)")
    serve.add_argument("--hostile", action="store_true",
                       help="put untrusted text in the data (markup, escape sequences, bidi and zero-width "
                            "characters), to check that a client shows it as plain text")
    serve.add_argument("--backend", choices=_backend_names(), default="servicetitan",
                       help="which backend's sandbox (default servicetitan)")
    serve.set_defaults(handler=_sandbox_serve)


def sandbox_profile_toml(url: str, name: str = "sandbox") -> str:
    """The ``[profiles.<name>]`` table that reaches a ServiceTitan sandbox served at ``url``."""
    from ..sandbox.server import profile_text

    return profile_text(url, name)


def _check_listen(host: str, port: int) -> None:
    """Fail early, with the reason, when the address cannot be bound (uvicorn would just exit 1)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as error:
        raise CliError(f"sandbox serve: cannot listen on {host}:{port}: {_reason(error)}") from None


def _sandbox_serve(args: argparse.Namespace) -> int:
    from ..backends import backend_for

    backend = backend_for(args.backend)
    ready_urls: list[str] = []

    def ready(url: str) -> None:
        scheme, _, rest = url.partition("://")
        address, _, port = rest.rpartition(":")
        where = f"serving at {url}"
        if address in ("0.0.0.0", "[::]", "::"):  # listening everywhere: this machine reaches it on loopback
            import socket

            url = f"{scheme}://127.0.0.1:{port}"
            where = (f"listening on {address}:{port}, every interface: {url} from this machine, "
                     f"{scheme}://{socket.gethostname()}:{port} (or this machine's address) from others")
        ready_urls.append(url)
        print(f"# jpm-tui sandbox {where} (Ctrl+C to stop)\n"
              f"# Paste into your config ({display_path(config_path())}). The secret is literal, so keep the file "
              f"private: chmod 600 <config file>\n"
              f"{backend.profile_text(url)}", flush=True)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    options: dict[str, Any] = {}
    if args.token_lifetime is not None:
        if args.backend != "servicetitan":
            raise CliError(f"sandbox serve: --token-lifetime: the {backend.label} sandbox issues no tokens")
        options["token_lifetime"] = args.token_lifetime
    if args.rate_limit is not None:
        options["rate_limit"] = args.rate_limit
    _check_listen(args.host, args.port)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        backend.serve(host=args.host, port=args.port, jobs=args.jobs, seed=args.seed, hostile=args.hostile,
                      on_ready=ready, **options)
    except KeyboardInterrupt:
        pass
    except SystemExit as exit:  # uvicorn exits 1 when it cannot start
        if exit.code not in (0, None) and not ready_urls:
            raise CliError(f"sandbox serve: the server did not start on {args.host}:{args.port}") from None
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("# sandbox stopped", file=sys.stderr, flush=True)
    return 0


