"""Pages of honourees, one module per side: intake (nominations, rounds, review) and registry."""
