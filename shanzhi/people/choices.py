from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relation(models.TextChoices):
    """与户主关系 (GB/T 4761 abridged)."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class ResidenceStatus(models.TextChoices):
    RESIDENT = "resident", _("常住")
    AWAY = "away", _("外出")
    MOVED_OUT = "moved_out", _("迁出")
    DECEASED = "deceased", _("死亡")


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", _("群众")
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    OTHER_PARTY = "other_party", _("民主党派")


class PersonTag(models.TextChoices):
    """Special-group tags of domain.md F2 (GB/T 31000-2015 关注人员)."""

    PARTY_MEMBER = "party_member", _("党员")
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困")
    DISABLED = "disabled", _("残疾")
    LEFT_BEHIND_ELDER = "left_behind_elder", _("留守老人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    VETERAN = "veteran", _("退役军人")
    MONITORED = "monitored", _("监测户/脱贫户")
    MIGRANT_WORKER = "migrant_worker", _("外出务工")
    KEY_PERSON = "key_person", _("重点人员")


class SubjectKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    FAMILY_FARM = "family_farm", _("家庭农场")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")


class ChangeKind(models.TextChoices):
    """Registry events kept as history (F2): births, deaths, moves."""

    REGISTERED = "registered", _("登记")
    BIRTH = "birth", _("出生")
    DEATH = "death", _("死亡")
    MOVE_OUT = "move_out", _("迁出")
    MOVE_GRID = "move_grid", _("调整网格")
    MOVE_VILLAGE = "move_village", _("跨村迁移")
    UPDATE = "update", _("信息变更")
    AWAY = "away", _("外出")
    RETURN = "return", _("返回常住")
