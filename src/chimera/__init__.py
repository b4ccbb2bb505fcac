"""Chimera: autonomous AI influencer runtime."""
