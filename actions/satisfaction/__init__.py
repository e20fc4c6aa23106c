"""Customer satisfaction: reading a score and a comment, storing them, the KPI report."""
