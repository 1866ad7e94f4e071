"""Models of 星级、表彰与黑榜."""
