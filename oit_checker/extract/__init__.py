"""Turn fetched resources into Page records: HTML here, documents (PDF, Office, images) beside it."""
