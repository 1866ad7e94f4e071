from django.apps import AppConfig


class RewardsConfig(AppConfig):
    """积分超市、合作商户与信用 (domain.md P5–P6): redemption that spends a balance, merchants confirming by QR, recyclables into points, credit tiers with consent."""

    name = "shanzhi.rewards"
    label = "rewards"
    verbose_name = "积分兑换与信用"
