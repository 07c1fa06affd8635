"""The base of the API's serializers.

Its own module, not ``missionlead.api``: DRF's ``serializers`` reads the renderer classes of the
settings while it loads, and those live in ``missionlead.api``.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class TextField(serializers.CharField):
    """Text as JSON sends it: a string. DRF's ``CharField`` also takes ``12`` or ``1.5`` and
    stores "12"; a client that sends a number where the schema says text has a bug, and is
    told so."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class DecimalField(serializers.DecimalField):
    """A decimal sent as text, taken exactly as written ("12.50", at most the field's decimal
    places), or as a JSON number, rounded half to even to those places: a browser's
    ``0.1 + 0.2`` is 0.3000, not an error. The schema states both shapes and their bounds
    (``DecimalFieldSchema``); anything else (``"1e5"``, ``" 1"``, ``true``) is refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rounding", decimal.ROUND_HALF_EVEN)
        super().__init__(*args, **kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # DRF reads any blank text as null; only "" is (spaces are no number).
        if data == "" and self.allow_null:
            return (True, None)
        return super().validate_empty_values(data)

    @property
    def text_pattern(self) -> str:
        whole, places = self.max_whole_digits, self.decimal_places
        sign = "" if self.min_value is not None and self.min_value >= 0 else "-?"
        return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"

    @property
    def largest(self) -> decimal.Decimal:
        """The largest magnitude the column holds: 999…9.99…9."""
        whole, places = self.max_whole_digits, self.decimal_places
        if whole is None or places is None:
            raise TypeError(f"{type(self).__name__} needs max_digits and decimal_places.")
        return decimal.Decimal(10) ** whole - decimal.Decimal(10) ** (-places)

    def to_internal_value(self, data: Any) -> decimal.Decimal:
        if isinstance(data, str):
            if not re.fullmatch(self.text_pattern, data):
                self.fail("invalid")
            return super().to_internal_value(data)
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        value = decimal.Decimal(repr(data)) if isinstance(data, float) else decimal.Decimal(data)
        if not value.is_finite():
            self.fail("invalid")
        if abs(value) > self.largest:
            self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
        return self.quantize(value)


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of ``DecimalField``: written as text; read as text or a number."""

    target_class = DecimalField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: DecimalField = self.target
        text = {"type": "string", "format": "decimal", "pattern": field.text_pattern}
        if direction == "response":
            return text
        largest = float(field.largest)
        number: dict[str, Any] = {"type": "number", "minimum": -largest, "maximum": largest}
        if field.min_value is not None:
            number["minimum"] = max(number["minimum"], float(field.min_value))
        if field.max_value is not None:
            number["maximum"] = min(number["maximum"], float(field.max_value))
        shapes = [text, number]
        if field.allow_null:  # "" is null, as the browsable API's form sends an empty field
            shapes.append({"type": "string", "maxLength": 0})
        return {"anyOf": shapes}


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializer: text fields take strings only (``TextField``)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
        models.DecimalField: DecimalField,
    }
