-- The amount proposed (and, above the authority limit, waiting for a manager): the approval queue shows it.
ALTER TABLE budgets ADD COLUMN proposed_cents BIGINT;
