"""Jura machines with the Smart Connect WiFi dongle."""
