"""Running sync passes: one user at a time here; scheduling across workers builds on these functions."""
