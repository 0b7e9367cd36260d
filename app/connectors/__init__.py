"""One package per vendor; shared HTTP plumbing at this level."""
