"""Safe defaults that cut across the apps: no caching of private pages, secrets kept out
of the logs (issue 13)."""
