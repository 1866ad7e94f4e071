"""Models of 矛盾纠纷调解."""
