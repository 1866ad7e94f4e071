from django.apps import AppConfig


class RewardsConfig(AppConfig):
    """积分超市、合作商户与信用 (domain.md P5–P6): redemption that spends a balance, merchants confirming by QR, recyclables into points, credit tiers with consent."""

    name = "shanzhi.rewards"
    label = "rewards"
    verbose_name = "积分兑换与信用"

    def ready(self) -> None:
        from shanzhi.core import home, periodic
        from shanzhi.files.selectors import register_owner

        from . import selectors
        from .tasks import expire_reservations

        home.register(selectors.home_items)
        # A good's photo is seen by whoever may see the good: its shop's keepers, and the villagers it serves.
        register_owner("rewards.Goods", lambda user: selectors.goods_visible(user=user))
        periodic.register(expire_reservations, every_seconds=600)
        from shanzhi.demo import registry

        from .demo import load

        registry.register("rewards", load, order=30)
