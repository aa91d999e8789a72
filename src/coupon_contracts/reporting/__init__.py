"""Reporting: the offline, single-file Allure HTML report of a run (categories, environment, rendering)."""
