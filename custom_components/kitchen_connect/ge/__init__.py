"""GE Appliances (SmartHQ) accounts in Home Assistant."""
