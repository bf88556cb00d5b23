"""Tests for the GE Appliances (SmartHQ) library."""
