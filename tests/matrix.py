"""The permission-matrix helpers: one request per actor (anonymous, a user of client A — who owns the rows —,
a user of client B, each staff role), compared with the status SPEC.md §5 gives."""

from tests.factories import ClientUserFactory, StaffUserFactory

STAFF = ["admin", "project_manager", "regulatory", "lab", "lab_manager", "viewer"]
ACTORS = ["anonymous", "client_a", "client_b", *STAFF]
ADMIN = {"admin"}
ADMIN_PM = {"admin", "project_manager"}
ADMIN_PM_RA = {"admin", "project_manager", "regulatory"}

READ_LIST = {"allowed": set(STAFF), "ok": 200, "client_a": 200, "client_b": 200}
READ_DETAIL = {"allowed": set(STAFF), "ok": 200, "client_a": 200, "client_b": 404}
HISTORY = {"allowed": set(STAFF), "ok": 200, "client_a": 403, "client_b": 404}
CREATE = {"allowed": ADMIN_PM, "ok": 201, "client_a": 403, "client_b": 403}
EDIT = {"allowed": ADMIN_PM, "ok": 200, "client_a": 403, "client_b": 404}
DELETE = {"allowed": ADMIN, "ok": 204, "client_a": 403, "client_b": 404}


def row(method, path, payload=None, *, allowed, ok, client_a, client_b, world="full"):
    """One endpoint and method: the expected status per actor."""
    expected = {role: ok if role in allowed else 403 for role in STAFF}
    expected.update(anonymous=401, client_a=client_a, client_b=client_b)
    return (method, path, payload, expected, world)


def make_actor(name, client_a, client_b):
    if name == "anonymous":
        return None
    if name == "client_a":
        return ClientUserFactory(client=client_a)
    if name == "client_b":
        return ClientUserFactory(client=client_b)
    return StaffUserFactory(roles=[name])


def fill(value, ids):
    """Replace ``"{name}"`` placeholders (whole strings) in a payload by the ids of the world's rows."""
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value
