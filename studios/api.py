"""REST API of the studios side."""


def register(router) -> None:
    """Add the studios viewsets to the /api/v1/ router."""
