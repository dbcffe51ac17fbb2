"""The REST API under /api/v1/ (DRF + drf-spectacular), personal tokens, webhooks and the
MCP server: a script or an assistant can do what the dashboard does (docs/api.md)."""
