"""Models of 村务决策与议事."""
