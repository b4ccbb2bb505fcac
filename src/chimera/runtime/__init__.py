"""Assembles the roles into one task-group tree and runs it."""
