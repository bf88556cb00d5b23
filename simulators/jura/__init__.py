"""A Jura machine with the Smart Connect dongle, on 127.0.0.1."""
