"""HTML reports and the ``aimon demo`` main job."""
from .demo import SECTIONS, run
from .html import Report, Section

__all__ = ["Report", "Section", "SECTIONS", "run"]
