"""The dashboard's data: every dependency's health, for admins (and everyone under the local provider)."""
