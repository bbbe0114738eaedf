"""One FilterSet per resource, shared by the API and the pages: a conversation is listed by the record it is on."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from core.models import Attachment, Comment

from .owners import DISCUSSABLE, OWNER_KINDS


def _by_owner_type(queryset, name, value):
    return queryset.filter(owner_type=OWNER_KINDS[value].content_type()) if value else queryset


class _OwnerFilters(django_filters.FilterSet):
    owner_id = IdFilter(label=_("Record id"))


class CommentFilterSet(_OwnerFilters):
    owner_type = django_filters.ChoiceFilter(
        choices=[(code, OWNER_KINDS[code].label) for code in DISCUSSABLE], method=_by_owner_type, label=_("Record")
    )
    project = IdFilter(field_name="project_id", label=_("Project"))
    client_visible = django_filters.BooleanFilter(label=_("Visible to the client"))
    parent = IdFilter(field_name="parent_id", label=_("Reply to"))

    class Meta:
        model = Comment
        fields = ["owner_type", "owner_id", "project", "client_visible", "parent"]


class AttachmentFilterSet(_OwnerFilters):
    owner_type = django_filters.ChoiceFilter(
        choices=[(code, kind.label) for code, kind in OWNER_KINDS.items()], method=_by_owner_type, label=_("Record")
    )
    comment = IdFilter(label=_("Comment"))

    class Meta:
        model = Attachment
        fields = ["owner_type", "owner_id", "comment", "client_visible"]
