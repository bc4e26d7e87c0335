"""URLs of honourees: the intake pages (namespace ``intake``) and the registry (namespace ``registry``)."""
