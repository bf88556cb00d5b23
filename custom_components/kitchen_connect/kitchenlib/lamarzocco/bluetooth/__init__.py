"""La Marzocco machines over Bluetooth LE: the current (JSON) characteristic set."""
