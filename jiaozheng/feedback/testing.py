"""Access-matrix factories of feedback (the buyer's evaluation list has no object routes)."""
