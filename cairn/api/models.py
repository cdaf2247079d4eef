# The API keeps no tables of its own: API clients are accounts.ApiClient, and
# what an Idempotency-Key promises is kept on the contact it made.
