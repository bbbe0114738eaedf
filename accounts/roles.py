"""Which staff roles a user holds. Cached on the user object, so a request asks the database once."""

from .choices import STAFF_ROLES, Role

_CACHE_ATTR = "_cdmo_roles"


def user_roles(user) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = set(user.groups.filter(name__in=STAFF_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_roles(user, group_names) -> frozenset[str]:
    """Cache the roles of ``user`` from group names read elsewhere (``clients.access`` reads them in the same
    query as the client membership: who the user is costs one query per request)."""
    names = {name for name in group_names if name in STAFF_ROLES}
    if user.is_superuser:
        names.add(Role.ADMIN)
    roles = frozenset(names)
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_staff_member(user) -> bool:
    return bool(user_roles(user))
