"""The team's memory: every paper stored, searchable by what it says."""
