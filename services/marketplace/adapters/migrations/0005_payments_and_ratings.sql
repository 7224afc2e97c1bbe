-- Payment and rating in the lists (issues 19 and 23): the day the county pays an order or a purchase, and the stars
-- a client gave an order, so a provider's ratings can be counted per service. Filled from the events already
-- recorded; the projections keep them from here on.
ALTER TABLE orders_view ADD COLUMN pay_on DATE;
ALTER TABLE orders_view ADD COLUMN stars SMALLINT CHECK (stars BETWEEN 1 AND 5);
ALTER TABLE purchases_view ADD COLUMN pay_on DATE;
UPDATE orders_view o SET pay_on = (e.data->>'pay_on')::date FROM events e
    WHERE e.event_type = 'fi.avain.marketplace.PaymentScheduled' AND (e.data->>'order_id')::uuid = o.order_id;
UPDATE orders_view o SET stars = (e.data->>'stars')::smallint FROM events e
    WHERE e.event_type = 'fi.avain.marketplace.ProviderRated' AND (e.data->>'order_id')::uuid = o.order_id;
UPDATE purchases_view p SET pay_on = (e.data->>'pay_on')::date FROM events e
    WHERE e.event_type = 'fi.avain.marketplace.PurchasePaymentScheduled'
      AND (e.data->>'purchase_id')::uuid = p.purchase_id;
-- A provider's ratings, per service.
CREATE INDEX orders_view_provider_rated ON orders_view (provider_id, offering_id) WHERE stars IS NOT NULL;
