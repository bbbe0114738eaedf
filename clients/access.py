"""The one scoping rule for client data.

Staff (any role in ``accounts.choices.Role``) see every client's rows. A client user — a user with a
``ClientMembership`` — sees only rows of their own client. Anyone else sees nothing. Every selector in every app
passes its queryset through ``scope_for_user``; views and serializers never filter by client themselves.

The model names the path to its client in ``client_scope_field`` (``"id"`` for ``Client`` itself,
``"client_id"``, ``"device__client_id"``, ``"project__client_id"`` …).
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.roles import remember_roles

_CACHE_ATTR = "_cdmo_access"

CLIENT_USER = "client"  # the pseudo-role of a client user in permission maps


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    client_id: int | None

    @property
    def is_client_user(self) -> bool:
        return self.client_id is not None

    @property
    def is_staff_member(self) -> bool:
        return not self.is_client_user and bool(self.roles)

    @property
    def effective_roles(self) -> frozenset[str]:
        """Roles for permission checks: a client user acts only as a client user, whatever groups they hold."""
        if self.is_client_user:
            return frozenset({CLIENT_USER})
        return self.roles


NO_ACCESS = Access(roles=frozenset(), client_id=None)


def access_for(user) -> Access:
    """Who ``user`` is for data access: roles and client membership read together in **one** query (a row per
    group, the membership joined beside), cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from accounts.models import User

        rows = list(User.objects.filter(pk=user.pk).values_list("groups__name", "client_membership__client_id"))
        client_id = next((client for _group, client in rows if client is not None), None)
        cached = remember_access(user, [group for group, _client in rows if group], client_id)
    return cached


def remember_access(user, group_names, client_id: int | None) -> Access:
    """Cache who ``user`` is from their group names and client read elsewhere (the API's token query reads them
    beside the token: ``clients.auth``)."""
    access = Access(roles=remember_roles(user, group_names), client_id=client_id)
    setattr(user, _CACHE_ATTR, access)
    return access


def identity_columns(user_id_sql: str) -> dict:
    """Who the user whose id is ``user_id_sql`` is — ``identity_groups`` (group names) and ``identity_client``
    (their client, or None) — as two scalar subqueries to read beside that user's row (PostgreSQL), then pass to
    ``remember_access``: the token's query and the session's user query need no identity query of their own.
    Written as SQL once: composed as ORM subqueries they cost more to build than to run."""
    from django.contrib.auth.models import Group
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import CharField, IntegerField
    from django.db.models.expressions import RawSQL

    from accounts.models import User

    from .models import ClientMembership

    groups = RawSQL(
        f"ARRAY(SELECT g.name FROM {Group._meta.db_table} g JOIN {User.groups.through._meta.db_table} ug "
        f"ON ug.group_id = g.id WHERE ug.user_id = {user_id_sql})", (), output_field=ArrayField(CharField()),
    )  # fmt: skip
    client = RawSQL(
        f"(SELECT m.client_id FROM {ClientMembership._meta.db_table} m WHERE m.user_id = {user_id_sql} LIMIT 1)",
        (), output_field=IntegerField(),
    )  # fmt: skip
    return {"identity_groups": groups, "identity_client": client}


def reader_for_client(client_id: int):
    """A stand-in for any user of client ``client_id``, for reads made on the client's behalf with nobody signed in
    (what the client's webhook may carry): every selector scopes it exactly as it scopes that client's users."""
    from accounts.models import User

    reader = User(username=f"client-{client_id}", is_active=True)
    setattr(reader, _CACHE_ATTR, Access(roles=frozenset(), client_id=client_id))
    return reader


def forget_access(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_for_user(queryset: QuerySet, user) -> QuerySet:
    access = access_for(user)
    if access.is_client_user:
        field = queryset.model.client_scope_field
        return queryset.filter(**{field: access.client_id})
    if access.is_staff_member:
        return queryset
    return queryset.none()
