"""What every form of the product shares: a service's refusal shown on the form, and model
forms that leave saving to the service."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: beside each field it names, and above
    the fields for the rest. The one way every page shows a service's refusal."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ServiceModelForm(forms.ModelForm):
    """A model form whose saving is a service's job, never its own.

    A plain ``ModelForm`` copies the cleaned data onto ``instance`` while it validates. A service
    handed that instance then compares the new values with themselves, finds nothing changed and
    keeps nothing, though the page says "saved". This form validates a copy, so ``instance``
    stays as stored and the service sees the real change; ``save()`` is refused.
    """

    def _post_clean(self) -> None:
        stored = self.instance
        self.instance = copy.copy(stored)
        try:
            super()._post_clean()
        finally:
            self.instance = stored

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's rules may name a field this form does not show (a mission's parent,
        set by the page): that message goes above the fields, where Django would raise."""
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {
                    (field if field in self.fields else NON_FIELD_ERRORS): messages
                    for field, messages in errors.error_dict.items()
                }
            )
        super()._update_errors(errors)

    def save(self, commit: bool = True) -> Any:
        raise TypeError(f"{type(self).__name__} is saved by a service, not by the form.")
