"""HTTP plumbing shared by LLM providers and platform adapters."""
