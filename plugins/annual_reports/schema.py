"""The two yearly reports as tables: what editors write in `content/_data/reports/<year>.yaml` and how
each official form is laid out. Validation, the pages, `make new TYPE=report` and docs/content.md all
read these tables.

- 政府信息公开工作年度报告: the form of 国办公开办函〔2021〕30号 (six parts, three tables).
- 政府网站工作年度报表: the form of 国办函〔2018〕12号.
"""

from __future__ import annotations

from dataclasses import dataclass

from content_model.schema import Field

REPORTS_FOLDER = "_data/reports"  # under content/: one <year>.yaml per year

# Who asked (table 三's columns), then the total the build adds or checks.
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
APPLICANT_GROUP = "法人或其他组织"  # the header above the five middle columns
# How reviews and lawsuits ended (table 四's columns), then the total.
OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结")
TOTAL = "总计"


@dataclass(frozen=True)
class Row:
    """One row of a numeric table: its key in the YAML file (or its short Chinese name), its printed label."""

    key: str
    short: str  # the Chinese key editors may write instead of `key`
    label: str
    level: int = 0  # indentation on the form: 0 一、, 1 （一）, 2 1．
    heading: bool = False  # a heading without numbers of its own
    total: bool = False  # the sum of the outcome rows, added (or checked) by the build


# Table 三, 收到和处理政府信息公开申请情况. Each row is written as a list of six counts, one per applicant
# column (a seventh, the total, is checked when written). Rows left out are zeros.
APPLICATION_ROWS = (
    Row("received", "本年新收", "一、本年新收政府信息公开申请数量"),
    Row("carried_in", "上年结转", "二、上年结转政府信息公开申请数量"),
    Row("results", "本年度办理结果", "三、本年度办理结果", heading=True),
    Row("granted", "予以公开", "（一）予以公开", 1),
    Row("partly", "部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1),
    Row("withheld", "不予公开", "（三）不予公开", 1, heading=True),
    Row("state_secret", "属于国家秘密", "1．属于国家秘密", 2),
    Row("prohibited", "其他法律行政法规禁止公开", "2．其他法律行政法规禁止公开", 2),
    Row("security", "危及“三安全一稳定”", "3．危及“三安全一稳定”", 2),
    Row("third_party", "保护第三方合法权益", "4．保护第三方合法权益", 2),
    Row("internal", "属于三类内部事务信息", "5．属于三类内部事务信息", 2),
    Row("process", "属于四类过程性信息", "6．属于四类过程性信息", 2),
    Row("enforcement_file", "属于行政执法案卷", "7．属于行政执法案卷", 2),
    Row("query", "属于行政查询事项", "8．属于行政查询事项", 2),
    Row("unavailable", "无法提供", "（四）无法提供", 1, heading=True),
    Row("not_held", "本机关不掌握相关政府信息", "1．本机关不掌握相关政府信息", 2),
    Row("not_existing", "没有现成信息需要另行制作", "2．没有现成信息需要另行制作", 2),
    Row("unclear", "补正后申请内容仍不明确", "3．补正后申请内容仍不明确", 2),
    Row("not_handled", "不予处理", "（五）不予处理", 1, heading=True),
    Row("petition", "信访举报投诉类申请", "1．信访举报投诉类申请", 2),
    Row("repeated", "重复申请", "2．重复申请", 2),
    Row("publication", "要求提供公开出版物", "3．要求提供公开出版物", 2),
    Row("excessive", "无正当理由大量反复申请", "4．无正当理由大量反复申请", 2),
    Row("confirm", "要求行政机关确认或重新出具已获取信息", "5．要求行政机关确认或重新出具已获取信息", 2),
    Row("other_handling", "其他处理", "（六）其他处理", 1, heading=True),
    Row("no_correction", "逾期不补正",
        "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2),
    Row("unpaid", "逾期未缴费", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2),
    Row("other", "其他", "3．其他", 2),
    Row("handled", "总计", "（七）总计", 1, total=True),
    Row("carried_out", "结转下年度", "四、结转下年度继续办理"),
)
# Table 四, 政府信息公开行政复议、行政诉讼情况: one row of four counts (then the total) per kind of case.
CASE_ROWS = (
    Row("review", "行政复议", "行政复议"),
    Row("suit", "未经复议直接起诉", "行政诉讼（未经复议直接起诉）"),
    Row("suit_after_review", "复议后起诉", "行政诉讼（复议后起诉）"),
)

# The 政府信息公开工作年度报告's fields (under `disclosure:`); tables 三 and 四 are `applications:` and
# `cases:`, mappings of the rows above.
DISCLOSURE_REPORT = (
    Field("overview", "text", "总体情况", required=True,
          help="Part 一: how the office did its disclosure work this year (主动公开, 依申请公开, 政府信息管理, "
               "平台建设, 监督保障). The page adds what the site itself published, counted from its documents."),
    Field("rules", "counts", "规章",
          help="Table 二's 规章 row as `[本年制发, 本年废止, 现行有效]`. Left out, it is counted from the policies "
               "(`doc_class`, 成文日期, validity); write it only where the repository does not hold them all."),
    Field("normative", "counts", "行政规范性文件",
          help="Table 二's 行政规范性文件 row, as `rules`."),
    Field("permits", "count", "行政许可", help="Table 二: 行政许可 decisions made this year (本年处理决定数量)."),
    Field("penalties", "count", "行政处罚", help="Table 二: 行政处罚 decisions this year."),
    Field("coercion", "count", "行政强制", help="Table 二: 行政强制 decisions this year."),
    Field("fees", "amount", "行政事业性收费", help="Table 二: 行政事业性收费 collected this year, in 万元."),
    Field("applications", "mapping", "收到和处理政府信息公开申请情况",
          help="Table 三: each row as six counts `[自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]` "
               "(a seventh, the 总计, is checked when written). Row keys: " +
               ", ".join(f"`{r.key}` ({r.short})" for r in APPLICATION_ROWS if not (r.heading or r.total)) +
               ". Rows left out are zeros; （七）总计 is added, and 本年新收 + 上年结转 must equal 总计 + "
               "结转下年度 in every column."),
    Field("cases", "mapping", "行政复议、行政诉讼情况",
          help="Table 四: each row as four counts `[结果维持, 结果纠正, 其他结果, 尚未审结]` (a fifth, the 总计, "
               "is checked when written). Row keys: " +
               ", ".join(f"`{r.key}` ({r.short})" for r in CASE_ROWS) + "."),
    Field("problems", "text", "存在的主要问题及改进情况", required=True, help="Part 五."),
    Field("other", "text", "其他需要报告的事项",
          help="Part 六. The page adds the 信息处理费 sentence from `fee_notices` and `fee_amount`."),
    Field("fee_notices", "count", "收费通知件数",
          help="信息处理费 notices sent this year (国办函〔2020〕109号); with `fee_amount`, said in part 六."),
    Field("fee_amount", "amount", "信息处理费金额", help="信息处理费 collected this year, in 元."),
)


@dataclass(frozen=True)
class Item:
    """One line of the website report: a field editors may write, or a figure the content gives."""

    field: Field
    computed: bool = False  # counted from the site's documents; a value written in the YAML replaces it


def _n(name: str, label: str, help_: str = "", computed: bool = False, kind: str = "count") -> Item:
    return Item(Field(name, kind, label, help=help_), computed)


SITE_TYPES = {"portal": "政府门户网站", "department": "部门网站"}

# 政府网站工作年度报表 (under `website:`), in the form's order: (section, its items).
WEBSITE_FORM: tuple[tuple[str, tuple[Item, ...]], ...] = (
    ("基本信息", (
        Item(Field("site_type", "enum", "网站类型", choices=SITE_TYPES, default="portal",
                   help="`portal` (政府门户网站) or `department` (部门网站). Name, address, host and the "
                        "registration numbers come from site.yaml.")),
        _n("visitors", "独立用户访问总量（单位：个）", "From the site's web statistics."),
        _n("visits", "网站总访问量（单位：次）"),
    )),
    ("信息发布", (
        _n("posts", "总数（单位：条）", "Every document published this year.", True),
        _n("posts_overview", "概况类信息更新量（单位：条）", "Pages, 机构职能 and 领导信息 published this year.",
           True),
        _n("posts_news", "政务动态信息更新量（单位：条）", "工作动态 and 通知公告 published this year.", True),
        _n("posts_disclosure", "信息公开目录信息更新量（单位：条）",
           "Policies and interpretations published this year.", True),
    )),
    ("专栏专题", (
        _n("topics", "维护数量（单位：个）", "Topics (专题) running at some time in the year.", True),
        _n("topics_new", "新开设数量（单位：个）", "Topics that started in the year.", True),
    )),
    ("解读回应", (
        _n("interpretations", "解读信息发布总数（单位：条）",
           "Interpretations and interviews that interpret a policy, published this year.", True),
        _n("interpretation_materials", "其中：解读材料数量（单位：条）", "Those in the form 文字.", True),
        _n("interpretation_products", "其中：解读产品数量（单位：个）", "Those in the forms 图解, 视频 and 访谈.",
           True),
        _n("media_articles", "其中：媒体评论文章数量（单位：篇）"),
        _n("responses", "回应公众关注热点或重大舆情数量（单位：次）"),
    )),
    ("办事服务", (
        Item(Field("service_catalogue", "bool", "是否发布服务事项目录")),
        _n("registered_users", "注册用户数（单位：个）"),
        _n("services", "政务服务事项数量（单位：项）"),
        _n("services_online", "可全程在线办理政务服务事项数量（单位：项）"),
        _n("cases", "办件量总数（单位：件）"),
        _n("cases_personal", "其中：自然人办件量（单位：件）"),
        _n("cases_corporate", "其中：法人办件量（单位：件）"),
    )),
    ("互动交流", (
        Item(Field("unified_platform", "bool", "是否使用统一平台")),
        _n("messages", "收到留言数量（单位：条）", "Replies whose message arrived this year.", True),
        _n("messages_done", "办结留言数量（单位：条）", "Replies answered this year.", True),
        _n("messages_days", "平均办理时间（单位：天）",
           "Working days from arrival to answer, on the official calendar, averaged over this year's answers.",
           True, "amount"),
        _n("messages_public", "公开答复数量（单位：条）", "Replies published this year.", True),
        _n("surveys", "征集调查期数（单位：期）", "Consultations opened this year.", True),
        _n("survey_opinions", "收到意见数量（单位：条）"),
        _n("survey_results", "公布调查结果期数（单位：期）",
           "Consultations opened this year whose outcome is published.", True),
        _n("interviews", "在线访谈期数（单位：期）", "Interviews held this year.", True),
        _n("interview_questions", "网民留言数量（单位：条）"),
        _n("interview_answers", "答复网民提问数量（单位：条）"),
        Item(Field("smart_qa", "bool", "是否提供智能问答")),
    )),
    ("安全防护", (
        _n("security_checks", "安全检测评估次数（单位：次）"),
        _n("security_issues", "发现问题数量（单位：个）"),
        _n("security_fixed", "问题整改数量（单位：个）"),
        Item(Field("security_monitoring", "bool", "是否建立安全监测预警机制")),
        Item(Field("security_drills", "bool", "是否开展应急演练")),
        Item(Field("security_owner", "bool", "是否明确网站安全责任人")),
    )),
    ("移动新媒体", (
        Item(Field("new_media", "bool", "是否有移动新媒体")),
        Item(Field("weibo_name", "str", "微博名称")),
        _n("weibo_posts", "微博信息发布量（单位：条）"),
        _n("weibo_followers", "微博关注量（单位：个）"),
        Item(Field("wechat_name", "str", "微信名称")),
        _n("wechat_posts", "微信信息发布量（单位：条）"),
        _n("wechat_subscribers", "微信订阅数（单位：个）"),
        Item(Field("new_media_other", "str", "其他移动新媒体")),
    )),
    ("创新发展", (
        Item(Field("search_service", "bool", "搜索即服务", help="Yes when the site search is built."), True),
        Item(Field("multilingual", "bool", "多语言版本", help="Yes when the site has English pages."), True),
        Item(Field("accessible", "bool", "无障碍浏览")),
        Item(Field("personalised", "bool", "千人千网")),
        Item(Field("innovation_other", "str", "其他创新")),
    )),
    ("填报信息", (
        Item(Field("head", "str", "负责人")),
        Item(Field("reviewer", "str", "审核人")),
        Item(Field("filled_by", "str", "填报人")),
        Item(Field("phone", "str", "联系电话")),
    )),
)
WEBSITE_REPORT = tuple(item.field for _, items in WEBSITE_FORM for item in items)

# The year's file: when both reports go public, and their two sections.
REPORT_FILE = (
    Field("date", "datetime", "发布日期", required=True,
          help="When both reports go public: by 31 January of the next year (the inspection warns from 1 January "
               "and vetoes after). Until this time neither is built."),
    Field("disclosure", "mapping", "政府信息公开工作年度报告", required=True,
          help="The report on disclosure work; its fields below."),
    Field("website", "mapping", "政府网站工作年度报表",
          help="The website's yearly statistics; its fields below. Left out, the site has no 年度报表 for the "
               "year and the inspection says so."),
)
