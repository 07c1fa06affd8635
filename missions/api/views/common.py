"""What every viewset of the missions API shares: who may call it, and who is calling."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model
from rest_framework import permissions
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import ActorPermission

API_PERMISSIONS = [permissions.IsAuthenticated, ActorPermission]

_M = TypeVar("_M", bound=Model)


def updated(serializer: BaseSerializer[_M]) -> _M:
    """The object a ``perform_update`` changes: DRF's update builds the serializer on
    ``get_object()``, so it is always there."""
    instance = serializer.instance
    assert instance is not None, "perform_update's serializer is built on an object"
    return instance
