"""Skills: what a worker can do, one module each, routed by task type."""
