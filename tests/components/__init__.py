"""Tests of the Home Assistant side of Kitchen Connect."""
