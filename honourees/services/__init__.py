"""Every write of honourees, one module per flow (intake, review, naming, status, benefits…)."""
