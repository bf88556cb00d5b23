"""Nespresso machines over Bluetooth LE: the original line (Expert, Prodigio) and Vertuo.

The protocol modules use the standard library only; bleak and bleak-retry-connector (which
ship with Home Assistant) are confined to the transport: link.py and client.py.
"""
