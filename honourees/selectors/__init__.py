"""Reads of honourees, one module per side: intake (schemes, rounds, nominations) and registry."""
