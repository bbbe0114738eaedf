"""Template helpers of the staff pages."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def widget(field):
    """Render a bound field's widget with the accessibility attributes its state needs: ``aria-invalid`` and
    ``aria-describedby`` pointing at its error and help texts (rendered by ``web/includes/field.html``)."""
    attrs = {}
    described_by = []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described_by.append(f"{field.auto_id}_error")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def sort_query(query: str, current: str, column: str) -> str:
    """The query string that sorts by ``column``: ascending first, descending when it is already ascending."""
    params = QueryDict(query, mutable=True)
    params["ordering"] = f"-{column}" if current == column else column
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag
def sort_state(current: str, column: str) -> str:
    """``aria-sort`` value of a column header."""
    if current == column:
        return "ascending"
    if current == f"-{column}":
        return "descending"
    return "none"


@register.simple_tag
def page_query(query: str, page: int) -> str:
    params = QueryDict(query, mutable=True)
    params["page"] = page
    return params.urlencode()


@register.inclusion_tag("web/conversations/_thread.html", takes_context=True)
def conversation(context, data: dict):
    """A record's comments and files (``web.views.conversations.conversation_context``) inside another page."""
    return {**data, "csrf_token": context.get("csrf_token"), "request": context.get("request")}


@register.filter
def split(value) -> list[str]:
    """Names from ``"a b c"`` — or a view's tuple of them, as is."""
    return value.split() if isinstance(value, str) else list(value)


@register.filter
def field(form, name: str):
    """A form's bound field by name, or None (a filter hidden from this user)."""
    return form[name] if name in form.fields else None


@register.simple_tag
def row_error(errors: dict, kind: str, pk=None) -> str:
    """The refusal kept for one row (``web.views.actions``), or ""."""
    return (errors or {}).get(f"{kind}-{pk}" if pk is not None else kind, "")


@register.simple_tag
def upload_accept() -> str:
    """The file types an upload control hints to the browser (the server checks content anyway)."""
    from core.forms import UPLOAD_ACCEPT

    return UPLOAD_ACCEPT


def _choices_as_values(form_field):
    """A model choice field's options read as values when its model can label a row (``choice_label``): the
    field's own iterator builds a model instance per option."""
    from django.forms import ModelChoiceField

    queryset = getattr(form_field, "queryset", None)
    model = getattr(queryset, "model", None)
    if (
        not isinstance(form_field, ModelChoiceField)
        or not hasattr(model, "choice_label")
        or type(form_field).label_from_instance is not ModelChoiceField.label_from_instance
    ):
        return None
    empty = [("", form_field.empty_label)] if form_field.empty_label is not None else []
    rows = queryset.values("pk", *model.choice_label_fields)
    return empty + [(row["pk"], model.choice_label(row)) for row in rows]


@register.simple_tag
def filter_select(field):
    """A list filter's ``<select>`` written directly (options escaped by ``format_html_join``): the form
    renderer's template per option made a list page's filter bar cost more than its fifty rows. Fields without
    choices of their own (a yes/no filter) keep their widget."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    choices = _choices_as_values(field.field)
    if choices is None:
        choices = getattr(field.field, "choices", None)
    if choices is None:
        return field.as_widget()
    value = field.value()
    chosen = value if isinstance(value, (list, tuple)) else [value]
    selected = {str(v) for v in chosen if v not in (None, "")}
    options = format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((str(v), mark_safe(" selected") if str(v) in selected else "", label) for v, label in choices),
    )  # fmt: skip
    return format_html('<select id="{}" name="{}">{}</select>', field.id_for_label, field.html_name, options)


@register.simple_tag
def filter_input(field):
    """A list filter's plain ``<input>`` (text, number, date) written directly with the attributes its widget
    would render (``get_context``, no template per widget: issue 19); any other widget renders itself."""
    from django.forms.utils import flatatt
    from django.utils.html import format_html

    widget = field.field.widget
    if getattr(widget, "input_type", None) not in ("text", "number", "search", "date") or widget.is_hidden:
        return field.as_widget()
    context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs({"id": field.auto_id}))
    attrs = context["widget"]["attrs"]
    value = context["widget"]["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>', widget.input_type, field.html_name,
        format_html(' value="{}"', value) if value is not None else "", flatatt(attrs),
    )  # fmt: skip
