"""Cases for the browser tests of the opinion form and the required materials (issue 17 points 3, 4).

Called by ``tests.browser.seed`` with its world (the demo users): two cases waiting for chen.jing's opinion
and two drafts of zhang.wei's with no material yet (one per screen size, so the tests do not share state).
"""

from __future__ import annotations

import copy

from tests.fixtures.world import MAJOR_DRAFT, World

OPINION_CASES = {"opinion_wide": "浏览器测试：审核意见暂存案（宽屏）",
                 "opinion_narrow": "浏览器测试：审核意见暂存案（手机）",
                 "opinion_assist": "浏览器测试：办案参考案"}
MATERIAL_CASES = {"materials_wide": "浏览器测试：送审材料清单案（宽屏）",
                  "materials_narrow": "浏览器测试：送审材料清单案（手机）"}


def _draft(title: str, number: int, *, materials: bool) -> dict[str, object]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["title"] = title
    draft["case_number"] = f"西市监处〔2026〕{970 + number}号"
    if not materials:
        draft.pop("materials")  # nothing listed: the checklist starts with every kind missing
    return draft


def form_cases(world: World) -> dict[str, int]:
    cases = {name: world.in_review(_draft(title, number, materials=True))
             for number, (name, title) in enumerate(OPINION_CASES.items())}
    cases |= {name: world.new_case(_draft(title, number + 5, materials=False))
              for number, (name, title) in enumerate(MATERIAL_CASES.items())}
    return cases
