"""The complaints team's work queue: who owns a complaint, who sees it, and what they do
with it (claim, release, reassign, note, resolve), one service object per operation."""
