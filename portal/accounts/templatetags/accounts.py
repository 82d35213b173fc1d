from django import template
from django.utils import dateformat, timezone

from portal.accounts.forms import password_hint as _password_hint

register = template.Library()


@register.simple_tag
def password_hint() -> str:
    """The password rules in one sentence, for "create a password" hints."""
    return _password_hint()


@register.filter
def widget_attr(bound_field, name: str) -> str:
    """An attribute the form gave the field's widget (such as autocomplete), or ""."""
    try:
        return bound_field.field.widget.attrs.get(name, "")
    except AttributeError:
        return ""


@register.filter
def govuk_datetime(value) -> str:
    """GOV.UK style: "6:35am on 3 December 2026" (or "midday"), in the local time zone."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if value.hour == 12 and value.minute == 0:
        time = "midday"
    elif value.hour == 0 and value.minute == 0:
        time = "midnight"
    else:
        time = dateformat.format(value, "g:i") + ("am" if value.hour < 12 else "pm")
    return f"{time} on {dateformat.format(value, 'j F Y')}"
