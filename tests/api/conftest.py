"""Fixtures of the operation tests: the real client over loopback HTTP to the sandbox, contract-checked."""

from _api_live import contract, st, state  # noqa: F401
from _contract import SESSION


def pytest_terminal_summary(terminalreporter) -> None:
    if not SESSION.operations:
        return
    by_module: dict[str, int] = {}
    for module, _, _ in SESSION.operations:
        by_module[module] = by_module.get(module, 0) + 1
    modules = ", ".join(f"{m} {n}" for m, n in sorted(by_module.items()))
    terminalreporter.write_line(
        f"contract: {len(SESSION.operations)} documented operations exercised ({modules}); "
        f"{SESSION.checked['requests']} requests, {SESSION.checked['responses']} responses and "
        f"{SESSION.checked['errors']} error answers validated against the documents; "
        f"{len(SESSION.undocumented)} newer-than-document operations checked for ApiErrorResponse only")
