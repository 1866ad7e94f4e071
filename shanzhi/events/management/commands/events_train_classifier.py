"""``shanzhi events_train_classifier``: retrain the triage text classifier on the deployment's own events
(domain.md G3; ``events.classifier``). The task worker also retrains it weekly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ValidationFailed
from shanzhi.events.classifier import classifier_train


class Command(BaseCommand):
    help = "Retrain the event triage classifier (character n-grams + logistic regression) on past accepted events."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = classifier_train(acting_user=None)
        except ValidationFailed as exc:
            raise CommandError(f"未训练事件分流分类器：{exc.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已训练事件分流分类器：{result.events} 件事件，{result.classes} 个分派类别，"
                f"留出检验 {result.held_out} 件，准确率 {result.accuracy:.0%}；已保存至 {result.path}。"
            )
        )
