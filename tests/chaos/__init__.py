"""Chaos and soak runs: every brand through random faults and a simulated day."""
