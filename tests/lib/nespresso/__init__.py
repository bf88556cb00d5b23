"""Tests of the Nespresso Bluetooth protocol library and its simulated machine."""
