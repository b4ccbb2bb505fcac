"""Rules the runtime must obey: disclosure, content checks, sensitivity, judging bands."""
