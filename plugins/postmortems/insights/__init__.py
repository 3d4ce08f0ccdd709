"""Figures over a collection (stats, action items, quality, exports) and their renderers."""
