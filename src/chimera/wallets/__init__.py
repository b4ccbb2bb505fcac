"""Wallets behind one interface; the simulated wallet is the embedded default."""
