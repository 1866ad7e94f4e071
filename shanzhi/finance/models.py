"""Models of 村级财务与村务公开."""
