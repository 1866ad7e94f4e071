"""Quorum and majority of the meetings of 四议两公开 (domain.md A2), as pure arithmetic so the page can show it.

- 村"两委"会议: more than half of the members present, more than half of those present approving (the usual
  rule of the two committees' joint meeting; domain.md is silent, so we take the common 过半数 rule);
- 党员大会: at least 2/3 of the party members present, more than half of the members (应到会有表决权的党员) approving;
- 村民代表会议: at least 2/3 of the representatives present, more than half of those present approving
  (村民委员会组织法 art. 26);
- 村民会议: more than half of the adult villagers present, or at least 2/3 of the households represented;
  more than half of those present approving (村民委员会组织法 art. 22).
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import MeetingKind


def more_than_half(n: int) -> int:
    return n // 2 + 1


def two_thirds(n: int) -> int:
    return -(-2 * n // 3)  # ceil(2n/3)


@dataclass(frozen=True)
class Tally:
    eligible: int
    present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    quorum_needed: int
    majority_needed: int
    quorum_met: bool
    majority_met: bool
    explanation: str

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.majority_met


UNIT = {MeetingKind.HOUSEHOLDS: "户"}
QUORUM_RULE = {
    MeetingKind.TWO_COMMITTEES: ("过半数", more_than_half),
    MeetingKind.PARTY_CONGRESS: ("三分之二以上", two_thirds),
    MeetingKind.REPRESENTATIVES: ("三分之二以上", two_thirds),
    MeetingKind.VILLAGERS: ("过半数", more_than_half),
    MeetingKind.HOUSEHOLDS: ("三分之二以上", two_thirds),
}


def tally(kind: str, *, eligible: int, present: int, votes_for: int, votes_against: int, votes_abstain: int) -> Tally:
    """The numbers a meeting needed and whether it met them, with the arithmetic spelled out in Chinese."""
    unit = UNIT.get(kind, "人")
    rule, quorum_fn = QUORUM_RULE[kind]
    quorum_needed = quorum_fn(eligible)
    if kind == MeetingKind.PARTY_CONGRESS:
        majority_needed, base = more_than_half(eligible), f"超过应到党员半数（应到 {eligible} 人）"
    else:
        majority_needed, base = more_than_half(present), f"超过到会{'户数' if unit == '户' else '人数'}半数（实到 {present} {unit}）"
    quorum_met = present >= quorum_needed
    majority_met = votes_for >= majority_needed
    parts = [f"应到 {eligible} {unit}，实到 {present} {unit}，须{rule}到会即至少 {quorum_needed} {unit}："
             f"{'符合' if quorum_met else '不足法定人数'}。"]
    parts.append(f"赞成 {votes_for}、反对 {votes_against}、弃权 {votes_abstain}；赞成须{base}即至少 {majority_needed} 票："
                 f"{'达到' if majority_met else '未达到'}。")
    if not quorum_met:
        parts.append("到会人数不足，会议无效，须重新召开。")
    elif not majority_met:
        parts.append("表决未通过。")
    return Tally(eligible=eligible, present=present, votes_for=votes_for, votes_against=votes_against,
                 votes_abstain=votes_abstain, quorum_needed=quorum_needed, majority_needed=majority_needed,
                 quorum_met=quorum_met, majority_met=majority_met, explanation="".join(parts))
