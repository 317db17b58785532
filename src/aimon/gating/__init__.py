"""Release gate: block a candidate model that is less accurate, slower or fed the wrong schema.

``aimon.gate(candidate=..., production=...)`` and ``aimon.check(batch, profile)`` return a
:class:`~aimon.gating.result.GateResult`; ``aimon gate gate.toml`` and ``aimon check`` run the same
from a shell (see :mod:`aimon.gating.cli`). This package sits above metrics and datadrift: nothing
below imports it. It is named ``gating`` (not ``gate``) so that ``aimon.gate`` stays the plain
function: importing a subpackage ``aimon.gate`` would replace the attribute with the module.
"""
from .core import gate
from .result import GateResult
from .schema import check

__all__ = ["gate", "check", "GateResult"]
