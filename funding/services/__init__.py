"""Every write in funding, one module per flow; each service checks who, locks, re-checks and records.

``core`` holds what every flow shares (the instalment move, the ledger writer, the locks and their order);
``budgets``, ``plans``, ``revocation``, ``payees``, ``batches`` and ``bank_results`` are the flows. Import the
module you need (``from funding.services import batches``); nothing is re-exported here.
"""
