"""The ADR engine: read ADRs as their authors wrote them, edit them without damage."""

from joeladr.adr.model import Adr, Criterion, Option, SourceItem, Table
from joeladr.adr.parse import load_adr, parse_adr

__all__ = ["Adr", "Criterion", "Option", "SourceItem", "Table", "load_adr", "parse_adr"]
