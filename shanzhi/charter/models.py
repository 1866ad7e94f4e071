"""Models of 权力清单与村规民约."""
