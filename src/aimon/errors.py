"""Errors and warnings raised by aimon.

Every problem a user can fix is an :class:`AimonError`. Problems with the shape of the input
(a missing role, a column of the wrong type) are :class:`SchemaError`, which is also a
``ValueError`` so that generic ``except ValueError`` code keeps working.
"""
from __future__ import annotations

__all__ = ["AimonError", "SchemaError", "AimonWarning", "DataDroppedWarning"]


class AimonError(Exception):
    """Base class of every error aimon raises on purpose."""


class SchemaError(AimonError, ValueError):
    """A role or column is missing, or holds data of the wrong kind.

    ``problems`` lists one message per problem; ``columns`` the columns that do exist.
    """

    def __init__(self, problems, columns=None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.columns = None if columns is None else [str(c) for c in columns]
        lines = list(self.problems)
        if self.columns is not None:
            shown = ", ".join(repr(c) for c in self.columns[:40])
            more = f", … ({len(self.columns) - 40} more)" if len(self.columns) > 40 else ""
            lines.append(f"Columns present: {shown}{more}" if self.columns else "The frame has no columns.")
        super().__init__("\n".join(lines) if len(lines) > 1 else lines[0])


class AimonWarning(UserWarning):
    """Base class of aimon's warnings."""


class DataDroppedWarning(AimonWarning):
    """Rows were left out of a metric (they are counted in the result)."""
