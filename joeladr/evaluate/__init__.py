"""Evaluate: findings per criterion from the ingested talks, curated by the user, scored per option."""
