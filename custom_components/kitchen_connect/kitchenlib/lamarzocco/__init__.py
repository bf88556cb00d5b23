"""La Marzocco's current cloud ("lion"): installation key, tokens, STOMP and the dashboard."""
