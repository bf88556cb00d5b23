"""Loopback simulators of every brand, for tests, the benchmark and ``scripts/develop``.

Development only: HACS installs ``custom_components/kitchen_connect/`` and nothing from here.
"""
