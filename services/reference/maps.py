"""Links that open a place on a map, built from the committee's configured template."""

from __future__ import annotations

# Amap (高德) opens a marker in its app or web page, which works in mainland China; it takes
# GCJ-02 coordinates, which is what phones in mainland China report.
AMAP_MARKER = "https://uri.amap.com/marker?position={lon},{lat}&coordinate=gaode&callnative=1"


def map_link(template: str, latitude: float, longitude: float) -> str:
    """The map link for a place: ``{lat}`` and ``{lon}`` in ``template`` filled in."""
    # Six decimals are about 10 cm: as precise as a phone's fix, never exponent notation.
    return template.replace("{lat}", f"{latitude:.6f}").replace("{lon}", f"{longitude:.6f}")
