"""What proposals and consultation outcomes share: their numbers, timeline and settings.

Both are handled suggestion by suggestion by departments (:mod:`storage.models.handling`):
this package owns the settings of the year's ``[pipeline]`` section, the numbering series,
the timeline lines every move writes, and each department's handling of an item.
"""
