"""Nespresso machines over Bluetooth LE: the original line (Expert, Prodigio) and Vertuo.

Standard library only; the transport (bleak) is kept out of these modules.
"""
