"""Tests of the La Marzocco cloud library and the simulated cloud's auth core."""
