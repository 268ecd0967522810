"""The API's routes, one Powertools `Router` per area, joined in api/handler.py with `include_router`."""
