"""The table of ground-truth events carried in ``df.attrs["events"]``.

pandas copies ``attrs`` into every derived frame and, when it combines frames (``concat``,
``merge``, ``join``), compares them with ``==``. For a plain DataFrame value that comparison is
element-wise and its truth value is ambiguous, so ``pd.concat([df.iloc[:10], df.iloc[10:]])``
would raise. :class:`EventTable` is a DataFrame whose ``==`` against another EventTable is one
bool (``DataFrame.equals``); against anything else it is the usual element-wise comparison.
"""
from __future__ import annotations

import pandas as pd

EVENT_COLUMNS = ("event_id", "kind", "start", "end", "columns", "magnitude", "description")


class EventTable(pd.DataFrame):
    """Ground-truth events: one row per event with ``kind``, ``start``, ``end``, ``columns``, ..."""

    @property
    def _constructor(self):
        return EventTable

    def __eq__(self, other):
        if isinstance(other, EventTable):
            return self.equals(other)
        return super().__eq__(other)

    def __ne__(self, other):
        if isinstance(other, EventTable):
            return not self.equals(other)
        return super().__ne__(other)

    __hash__ = None
