"""A simulated Nespresso machine (original line and Vertuo), transport-free."""
