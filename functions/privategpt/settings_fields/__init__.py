"""The field groups ``privategpt.settings.Settings`` is made of, one module per area (split for size only).

Import settings from ``privategpt.settings``; these modules only declare fields.
"""
