"""The security gateway: every outside text is normalised, scanned and scored before anything acts on it."""
