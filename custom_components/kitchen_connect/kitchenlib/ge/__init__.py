"""GE Appliances SmartHQ: sign-in, the account websocket and the ERD codec."""
