"""Discovery (ONVIF, nmap, brand templates), the embedded edge listener and the zeroconf advertiser (no Qt)."""
