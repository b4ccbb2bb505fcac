"""Chimera: autonomous AI influencer runtime."""

from chimera import native

native.activate()
