-- The access log keeps each read's content hash (the DataAccessed envelope's hash), so that a client's own copy
-- (GDPR art. 15) can name the event of the log each read came from, to be checked against the log.
ALTER TABLE access_log ADD COLUMN event_hash TEXT;
