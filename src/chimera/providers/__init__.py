"""LLM providers behind one interface; the offline writer is the embedded default."""
