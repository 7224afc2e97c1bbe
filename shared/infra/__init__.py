"""Infrastructure every service runs on: storage, messaging, HTTP, authentication, keys, settings, logging."""
