"""The local transports of older La Marzocco gateways: port 8081 and the GS/3 raw TCP protocol."""
