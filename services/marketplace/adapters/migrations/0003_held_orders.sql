-- An order accepted before its provider was suspended waits for the coordinating worker's decision (issue 17).
ALTER TABLE orders_view ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
-- A suspension finds its provider's open orders.
CREATE INDEX orders_view_provider_open ON orders_view (provider_id)
    WHERE status IN ('awaiting_funds', 'confirmed', 'accepted');
