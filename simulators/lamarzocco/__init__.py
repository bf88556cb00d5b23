"""A loopback La Marzocco cloud for tests and demos; so far the verifier of signed requests."""
