"""Schemathesis hooks for `scripts/fuzz.sh`: every request goes out as one signed-in role.

The role's session cookies were made by the script before fuzzing began (logging in while the
fuzzer sends wrong passwords from the same address would soon meet the login limit): the file
named by QINXUE_FUZZ_COOKIES holds one cookie value a line, the first in use, the others spare.
A fuzzed `POST /api/auth/logout` that succeeds ends the session in use; the next request takes
the next spare, so the rest of the run is still that role's. With no file the requests go out
anonymous.

Every request carries the site's own Origin (QINXUE_FUZZ_ORIGIN), as the app's pages do: the
server refuses state-changing requests from other origins (`hardening::same_origin_writes`),
and without it every write would stop at that check.
"""

import os

import schemathesis

SESSION_COOKIE = "qinxue_session"
ORIGIN = os.environ["QINXUE_FUZZ_ORIGIN"]


def _cookies():
    path = os.environ.get("QINXUE_FUZZ_COOKIES", "")
    if not path:
        return []
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


_pool = _cookies()


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers if case.headers is not None else {}
    headers["Origin"] = ORIGIN
    case.headers = headers
    if _pool:
        cookies = case.cookies if case.cookies is not None else {}
        cookies[SESSION_COOKIE] = _pool[0]
        case.cookies = cookies


@schemathesis.hook
def after_call(context, case, response):
    if (
        _pool
        and case.operation.path == "/api/auth/logout"
        and response.status_code == 204
        and len(_pool) > 1
    ):
        _pool.pop(0)
