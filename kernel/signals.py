"""Signals the missions app sends so that other apps can react without being imported here.

``cascade_changed`` is sent by the services after a change that may open or resolve alignment
findings (a mission, its KPIs, key tasks or links). The reviews app listens and schedules a
debounced alignment check of the affected subtree; no business rule lives in a receiver.
"""

from django.dispatch import Signal

# Arguments: mission (the changed mission).
cascade_changed = Signal()
