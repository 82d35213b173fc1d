from django import forms
from django.db import models

from directory.languages import LANGUAGE_CHOICES
from directory.validators import validate_language_codes


class LanguageCodesField(models.JSONField):
    """A list of ISO 639 codes, edited as a multiple choice of language names."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [validate_language_codes])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=LANGUAGE_CHOICES,
            required=not self.blank,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
            widget=forms.SelectMultiple(attrs={"size": 8}),
        )
