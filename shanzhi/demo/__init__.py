"""演示数据: a synthetic county (济源) with villages, grids, households, persons, organisations and one demo
account per role, so the platform can be shown and measured (`shanzhi demo --scale small|county`)."""
