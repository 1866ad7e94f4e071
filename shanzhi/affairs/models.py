"""Models of 村务决策与议事 (domain.md A2, A5).

- ``Decision``: a major matter run through 四议两公开一监督 (six steps, ``workflow.py``), with a ``Meeting`` at
  each deliberative step (attendance against the registry, votes, the quorum arithmetic frozen as recorded),
  supervisory comments (the workflow's progress notes), and the two publications.
- ``Representative``: the village's roster of villager representatives (村民代表) for a term.
- ``Topic``: a deliberation topic (议事协商) with its six steps, meetings with participation in three venues,
  comments, a vote (open or secret: ``Ballot`` rows hold no voter, ``VoteRoll`` holds who voted) and the
  tasks its outcome became.

Every row carries ``place_path`` (the village's path) for scope.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager
from shanzhi.workflow.models import WorkflowCase

from .choices import (
    Choice,
    Eligibility,
    MeetingKind,
    Outcome,
    Participation,
    ProposerKind,
    TaskStatus,
    TopicCategory,
)


class Representative(models.Model):
    """村民代表: a villager representative of a village for a term (村民委员会组织法 art. 25: 每五户至十五户推选一人,
    or each villager group several). The roster decides who counts at a representatives' meeting and who
    votes on a topic open to representatives. A term ends by ``term_end`` (inclusive)."""

    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村民代表")
        verbose_name_plural = _("村民代表")
        ordering = ["place_path", "term_start", "id"]
        constraints = [models.UniqueConstraint(fields=["village", "person", "term_start"],
                                               name="affairs_representative_once_a_term")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.term_start:%Y}–{self.term_end:%Y}）"


class Decision(WorkflowCase):
    """四议两公开一监督 (domain.md A2): a village's major matter (三重一大) through 村党组织提议 → 村"两委"会议商议 →
    党员大会审议 → 村民会议或村民代表会议决议 → 决议公开 → 实施结果公开, overseen by the supervisory committee.

    ``source`` / ``source_ref`` name what asked for it when another capability did (``api.decision_request``:
    "finance.expense", "charter.rule", "points.scheme"); ``outcome`` is what that capability is told, settled in
    the transaction of the resolution (``services``)."""

    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    title = models.CharField(_("事项名称"), max_length=200)
    summary = models.TextField(_("事项内容"), max_length=4000)
    source = models.CharField(_("来源"), max_length=40, blank=True, db_index=True,
                              help_text=_("由其他业务发起时：如 finance.expense"))
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    source_url = models.CharField(_("来源链接"), max_length=300, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING,
                               db_index=True)
    decided_at = models.DateTimeField(_("决议时间"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发起人"))
    requested_at = models.DateTimeField(_("发起时间"))
    resolution_text = models.TextField(_("决议内容"), max_length=4000, blank=True)
    result_text = models.TextField(_("实施结果"), max_length=4000, blank=True)
    resolution_publication = models.ForeignKey("publication.Publication", null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+", verbose_name=_("决议公开"))
    result_publication = models.ForeignKey("publication.Publication", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+", verbose_name=_("结果公开"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村务决策事项")
        verbose_name_plural = _("村务决策事项")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "state"], name="decision_place_state"),
            models.Index(fields=["source", "source_ref"], name="decision_source"),
        ]

    def __str__(self) -> str:
        return f"决策事项：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("affairs_decision", args=[self.pk])


class Meeting(models.Model):
    """会议: one meeting at a deliberative step of a decision (两委会议, 党员大会, 村民会议/村民代表会议).

    The numbers are frozen as recorded: ``eligible`` (应到: from the registry on the meeting day), ``present``
    (实到: the attendance rows), the votes, what the rule needed and whether it was met (``quorum.py``). A
    meeting that fails is kept; the step waits until a meeting passes (it may be held again)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("事项"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    step = models.CharField(_("步骤"), max_length=32)
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("会议日期"))
    venue = models.CharField(_("地点"), max_length=100, blank=True)
    eligible = models.PositiveIntegerField(_("应到"))
    present = models.PositiveIntegerField(_("实到"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    quorum_needed = models.PositiveIntegerField(_("法定到会人数"))
    majority_needed = models.PositiveIntegerField(_("通过所需赞成票"))
    quorum_met = models.BooleanField(_("到会人数符合规定"))
    majority_met = models.BooleanField(_("赞成票符合规定"))
    passed = models.BooleanField(_("通过"), db_index=True)
    explanation = models.CharField(_("计算说明"), max_length=500)
    minutes = models.TextField(_("会议记录"), max_length=8000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("决策会议")
        verbose_name_plural = _("决策会议")
        ordering = ["decision", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"


class MeetingAttendance(models.Model):
    """到会: a person (or, at a villagers' meeting by households, a household) present at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("会议"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人员"))
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("户"))

    class Meta:
        verbose_name = _("到会记录")
        verbose_name_plural = _("到会记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="affairs_attend_person_once"),
            models.UniqueConstraint(fields=["meeting", "household"], name="affairs_attend_household_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.person_id or self.household_id}"


# --- 议事协商 (A5) -----------------------------------------------------------------------------------------


class DeliberationDay(models.Model):
    """固定议事日: the day of the month a village deliberates (e.g. 每月10日). Meetings on it need no notice;
    others must be called at least 3 days before (A5)."""

    village = models.OneToOneField("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    day_of_month = models.PositiveSmallIntegerField(_("每月议事日"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("固定议事日")
        verbose_name_plural = _("固定议事日")

    def __str__(self) -> str:
        return f"每月{self.day_of_month}日"


class Topic(WorkflowCase):
    """议题 (A5 议事协商): 提出议题 → 确定议题 → 内容审定 → 协商议事 → 公开公示 → 研究落实.

    Proposed by a villager on the phone or by a body; deliberated at meetings (three venues) and online
    (comments, a vote in a window with eligibility from the registry); the result published; the outcome
    tracked as tasks on a public page (``public_id``) until done; an unresolved matter may go on as a
    ``Decision`` (``decision``)."""

    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    public_id = models.CharField(_("公开编号"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("议题"), max_length=200)
    description = models.TextField(_("内容"), max_length=4000)
    category = models.CharField(_("类别"), max_length=24, choices=TopicCategory.choices, default=TopicCategory.OTHER)
    proposer_kind = models.CharField(_("提出方式"), max_length=12, choices=ProposerKind.choices)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("提出人"))
    body_name = models.CharField(_("提出组织"), max_length=100, blank=True)
    proposed_at = models.DateTimeField(_("提出时间"))
    eligibility = models.CharField(_("表决范围"), max_length=20, choices=Eligibility.choices, default=Eligibility.ADULTS)
    secret = models.BooleanField(_("无记名投票"), default=True)
    vote_opens_at = models.DateTimeField(_("投票开始"), null=True, blank=True)
    vote_closes_at = models.DateTimeField(_("投票截止"), null=True, blank=True)
    conclusion = models.TextField(_("议事结论"), max_length=4000, blank=True)
    publication = models.ForeignKey("publication.Publication", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("结果公示"))
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("转入决策事项"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["place_path", "state"], name="topic_place_state")]

    def __str__(self) -> str:
        return f"议题：{self.title}"

    @property
    def proposer_path(self) -> str:
        """Where a villager proposing holds topic.propose (their grid or village), set by the service."""
        return getattr(self, "_proposer_path", "") or self.place_path

    def get_absolute_url(self) -> str:
        return reverse("affairs_topic", args=[self.pk])


class TopicMeeting(models.Model):
    """议事会议: on the village's fixed deliberation day, or called at least 3 days ahead (``called_on``)."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("议题"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    held_on = models.DateField(_("会议日期"))
    called_on = models.DateField(_("通知日期"))
    on_fixed_day = models.BooleanField(_("固定议事日"), default=False)
    venue = models.CharField(_("地点"), max_length=100, blank=True)
    summary = models.TextField(_("会议纪要"), max_length=8000, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("召集人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"议事会议 {self.held_on:%Y-%m-%d}"


class TopicParticipant(models.Model):
    """参会: a person at a deliberation meeting, in person, remote (外地村) or online (网上村)."""

    meeting = models.ForeignKey(TopicMeeting, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("会议"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    mode = models.CharField(_("参会方式"), max_length=12, choices=Participation.choices)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="affairs_participant_once")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_mode_display()}"


class TopicComment(models.Model):
    """议事意见: a comment on a topic, online, by a villager of the village or a cadre."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="comments", verbose_name=_("议题"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("发表人"))
    author_name = models.CharField(_("发表人姓名"), max_length=50)
    text = models.TextField(_("意见"), max_length=1000)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("议事意见")
        verbose_name_plural = _("议事意见")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class VoteRoll(models.Model):
    """已投票名册: who has voted on a topic (a person, or for one-vote-per-household a household), never what.
    The unique constraints make a second vote impossible even when two arrive at once."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="roll", verbose_name=_("议题"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("投票人"))
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("户"))
    voted_at = models.DateTimeField(_("投票时间"))

    class Meta:
        verbose_name = _("已投票名册")
        verbose_name_plural = _("已投票名册")
        constraints = [
            models.UniqueConstraint(fields=["topic", "person"], name="affairs_vote_once_per_person"),
            models.UniqueConstraint(fields=["topic", "household"], name="affairs_vote_once_per_household",
                                    condition=models.Q(household__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.person_id}"


class Ballot(models.Model):
    """选票: one vote's choice. A secret ballot has a random key and no voter and no time, so nothing links it to
    the roll (not even the order of ids); an open ballot names its voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("议题"))
    choice = models.CharField(_("表决意见"), max_length=8, choices=Choice.choices)
    voter = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("投票人（记名投票）"))

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")

    def __str__(self) -> str:
        return self.get_choice_display()


class TopicTask(models.Model):
    """落实任务: an outcome of a topic with an owner and a deadline; its progress is shown publicly until done."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("议题"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    title = models.CharField(_("任务"), max_length=200)
    owner = models.CharField(_("责任人/责任单位"), max_length=60)
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("落实任务")
        verbose_name_plural = _("落实任务")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title


class TaskProgress(models.Model):
    """落实进展: a progress update on a task, shown on the topic's public page."""

    task = models.ForeignKey(TopicTask, on_delete=models.CASCADE, related_name="progress", verbose_name=_("任务"))
    text = models.CharField(_("进展"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:30]
