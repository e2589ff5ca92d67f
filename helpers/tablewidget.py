"""The circuit lab's element table and element chart, as widgets that redraw only what changed.

    >>> table, chart = CircuitTable(), ElementChart()
    >>> table.value = rendering.circuit_table_html(comparison, forum, style=False)
    >>> chart.show(rendering.heatmap_data(comparison), title)

`CircuitTable.value` is the whole table's HTML, exactly what an HTML widget would hold (tests and
notebooks read it as before). In the browser (helpers/static/circuit_table.js) a new value is
compared with the table shown, row by row and cell by cell, and only the cells whose HTML changed
are replaced. `ElementChart` (helpers/static/element_chart.js) is a grid of coloured cells built
once; a change sends the cells' values (z) and the browser recolours those that changed. The whole
table re-parsed and laid out, and a plotly heatmap redrawn with its axes, on every fact change cost
more than the rest of the lab's redraw (issue 21).
"""
from __future__ import annotations

import anywidget
import traitlets

from .projector import STATIC


class CircuitTable(anywidget.AnyWidget):
    """An HTML widget for the element table whose browser side patches changed cells in place."""

    _esm = STATIC / "circuit_table.js"

    value = traitlets.Unicode("").tag(sync=True)


class ElementChart(anywidget.AnyWidget):
    """Circuits (y) against kinds of element (x): z is 1 met, 0 not met, None not part of the test;
    `hover` is each cell's tooltip (the elements and their authority), sent only when it changes."""

    _esm = STATIC / "element_chart.js"
    _css = STATIC / "element_chart.css"

    title = traitlets.Unicode("").tag(sync=True)
    x = traitlets.List(traitlets.Unicode()).tag(sync=True)
    y = traitlets.List(traitlets.Unicode()).tag(sync=True)
    z = traitlets.List(traitlets.List()).tag(sync=True)
    hover = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)

    def show(self, data: dict, title: str | None = None) -> None:
        """Show `rendering.heatmap_data`'s x, y, z and hover; only what changed is sent."""
        with self.hold_sync():
            if title is not None:
                self.title = title
            self.x, self.y = list(data["x"]), list(data["y"])
            self.hover = data["hover"]
            self.z = [list(row) for row in data["z"]]
