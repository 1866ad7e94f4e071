"""Models of 积分兑换与信用."""
