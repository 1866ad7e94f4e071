"""Models of 积分制."""
