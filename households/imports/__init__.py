"""Importing household registry files: read (readers), check (validation), template."""
