"""Words too common to tell two listings apart, in English and Chinese."""


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_STOPWORDS = _word_set(
    """
    a about above across after again against all almost also although always am among an and any
    are around as at be because been before being below between both but by can cannot could did
    do does doing done down during each either else enough even ever every few for from further
    get gets getting got had has have having he her here hers him his how however i if in into is
    it its itself just least less like made make makes many may me might more most much must my
    need needs needed no nor not now of off on once one only or other others our ours out over own
    per please rather same she should since so some such than that the their them then there these
    they this those though through thus to too under until up upon us use used uses using very via
    was we well were what when where whether which while who whom whose why will with within
    without would yet you your yours want wants wanted looking look seek seeking able approx
    approximately around currently current existing new today year years day days month months week
    weeks time times per cent percent etc e g ie eg including include includes included based
    typical typically require required requires requirement requirements solution solutions
    system systems technology technologies process processes project projects plant plants site
    sites company companies customer customers operator operators provide provides provided
    """
)

CHINESE_STOPWORDS = _word_set(
    """
    我们 我司 公司 本公司 我公司 企业 你们 他们 目前 现在 已经 已 需要 希望 想要 想 要求
    可以 能够 能否 进行 采用 通过 实现 以及 及其 并且 而且 但是 但 同时 因此 所以 如果 由于
    对于 关于 其中 这个 那个 这些 那些 一个 一种 一些 没有 不是 就是 还是 还有 或者 以上
    以下 左右 大约 约 每年 每天 每月 年 月 日 天 个 项 台 套 的 了 和 与 及 在 是 有 为 对
    将 把 被 从 向 于 等 等等 之 其 也 都 又 并 而 或 技术 工艺 系统 方案 项目 设备 装置
    产品 问题 情况 方面 相关 主要 提供 适用 适用于 具有 包括 已在 应用
    """
)
