"""The command line: `reelforge ...` (entry layer)."""
