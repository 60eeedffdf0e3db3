"""The Department's own voice: its own channels' posts and how far they travelled (output,
uptake), the activities no crawler sees (activities) and the year's plan (plan)."""
