"""The local API of gateways before v5.0.9: REST and a streaming websocket on port 8081."""
