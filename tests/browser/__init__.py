"""Home Assistant's own frontend, driven in headless Chromium against a real Home Assistant."""
