-- The client directory the console reads: each client's name sealed with their own key (so erasure makes it
-- unreadable like everything else), and a blind index to find clients by name without decrypting anyone.

CREATE TABLE client_names (
    client_id   UUID PRIMARY KEY,
    sealed_name JSONB NOT NULL
);

-- Keyed hashes (HMAC with a secret) of each normalised name token and of its prefixes: a search hashes what
-- was typed and matches hashes; the names themselves are never stored in clear nor compared in clear.
CREATE TABLE client_name_index (
    token_hash TEXT NOT NULL,
    client_id  UUID NOT NULL,
    PRIMARY KEY (token_hash, client_id)
);
CREATE INDEX client_name_index_client ON client_name_index (client_id);
CREATE INDEX intake_cases_status_coordinator ON intake_cases (coordinator_id, status);
-- The language the client chose at registration: the console's fallback after their explicit choice.
ALTER TABLE intake_cases ADD COLUMN preferred_language TEXT;
