"""The content model: one table per content type drives validation, errors and docs.

Every field an editor may write is a row here. `kind` names a parser in fields.py;
`label` is the Chinese name shown in errors and docs and accepted as a key alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str
    required: bool = False
    help: str = ""
    choices: dict[str, str] | None = None  # value -> Chinese label (enums)
    default: object = None
    item_keys: tuple[tuple[str, bool], ...] = ()  # (key, required) for kind "files"
    aliases: tuple[str, ...] = ()  # further accepted spellings of the key
    max_len: int = 0  # most characters a value may have; 0: the kind's limit (fields.MAX_LEN)
    tip: str = ""  # a short Chinese hint for the browser editor's form (plugins/cms); help stays the reference

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)


@dataclass(frozen=True)
class ContentType:
    name: str
    label: str
    folder: str  # content/<folder>/ gives this type by default
    help: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


STATUS = {"published": "已发布", "draft": "草稿", "review": "待审核"}
VALIDITY = {"effective": "有效", "amended": "已修改", "repealed": "已废止", "expired": "已失效"}
# What the annual disclosure report (政府信息公开工作年度报告) counts a policy as.
DOC_CLASSES = {"rule": "规章", "normative": "行政规范性文件", "other": "其他文件"}
FORMS = {"text": "文字解读", "graphic": "图解", "video": "视频解读", "interview": "访谈"}
# How often a dataset is updated (开放数据 更新频率), and the days after which the inspection calls it late.
FREQUENCIES = {"daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度", "half-yearly": "每半年",
               "yearly": "每年", "irregular": "不定期", "static": "不再更新"}
FREQUENCY_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "half-yearly": 183, "yearly": 366}
# Review levels a published change needs on record (三审三校), each a git trailer of that name.
REVIEW_LEVELS = {"0": "不检查", "1": "初审", "2": "初审、复审", "3": "初审、复审、终审"}
# The header colours a site may take (site.colour): white text on each is at least 4.5:1 (WCAG AA).
COLOURS = {"red": "中国红", "blue": "政务蓝", "green": "生态绿"}
# Site clusters: which sites a document is reposted to besides by id, and how (SiteServer's 推送 and 引用).
REPOST_FROM = ("parent", "ancestors", "children", "descendants", "all")
REPOST_MODES = {"copy": "复制（转载页，注明来源）", "reference": "引用（链接到原文）"}

COMMON = (
    Field("title", "str", "标题", required=True, max_len=200, tip="页面上显示的标题。",
          help="Title as it appears on the page."),
    Field("date", "datetime", "发布日期", required=True, tip="北京时间。填将来的时间则到时自动发布。",
          help="Publish date-time: `2015-05-14 09:30`, `2015-05-14` or `2015年5月14日`. A date in the "
               "future schedules the item: it stays out of the site until then, as with `publish_at`."),
    Field("updated", "datetime", "更新日期",
          help="Last substantive update (最后更新), same formats as date; one not after the publish time is "
               "no update (pages, feeds and sitemap then use the publish date). Left out, 最后更新 is the last commit "
               "on a later day than the item first went public (the later of its publish time and the first "
               "commit in which it was published): importing a file, approving it and same-day fixes are no "
               "update. A shallow git clone shows none."),
    Field("changes", "changes", "更新记录",
          help="Public change notes, oldest first or not: a list of `{date, note}`, shown as 更新记录 under the "
               "text. Add `major: true` to a change of substance: the latest one dates 最后更新, the feeds' "
               "updated and the sitemap's lastmod (unless `updated` is written); a change without it (a typo "
               "fix) is listed but dates nothing, and with change notes git commits date nothing either."),
    Field("summary", "text", "摘要", max_len=1000, tip="一两句话，用于列表、订阅和搜索结果。",
          help="One or two sentences for lists, feeds and search results."),
    Field("keywords", "list", "主题词", aliases=("关键词",), tip="用逗号分隔；专题按主题词收录文件。",
          help="List, or one string separated by commas or 、."),
    Field("column", "column", "栏目",
          help="Column id from `_data/site.yaml`; defaults to the type's first column."),
    Field("department", "department", "部门",
          help="Department id from `_data/site.yaml` (the responsible unit)."),
    Field("slug", "slug", "别名",
          help="ASCII URL name (a-z, 0-9, -); defaults to the file's own name."),
    Field("status", "enum", "状态", choices=STATUS, default="published",
          help="Only `published` items are built; drafts and items under review never are."),
    Field("publish_at", "datetime", "定时发布", tip="到这个时间（北京时间）才公开。",
          help="Embargo: the item stays out of the site until this date-time (Asia/Shanghai)."),
    Field("lang", "lang", "语言", help="`zh-CN` (default) or `en` for English pages."),
    Field("editor", "str", "责任编辑",
          help="The responsible editor, shown under the text (【责任编辑：…】) where the office wants it named."),
    Field("reviewer", "str", "审核",
          help="Who approved it for publication, shown beside the editor. The review on record is in git "
               "(`review_levels`); this is the name the page shows."),
    Field("site", "site", "所属网站",
          help="In a site cluster (`content/_data/sites/`): the id of the site that owns the document and publishes "
               "its original page. Left out, the portal (`site.yaml`)."),
    Field("repost", "sites", "转载到", tip="填网站标识，或 parent（上级网站）、children（下级网站）、all（全部网站）。",
          help="Sites that also show the document, besides those whose `reposts` rules take it: site ids, or "
               "`parent`, `ancestors`, `children`, `descendants`, `all`. Each shows it in its first column of "
               "the document's type."),
    Field("repost_mode", "enum", "转载方式", choices=REPOST_MODES,
          default="copy",
          help="How `repost` sites show it: `copy` gives each a page of its own marked 来源 with a link and "
               "`rel=canonical` to the original; `reference` lists it and links to the original page."),
    Field("image", "image", "分享图片",
          help="Picture WeChat, Weibo and QQ show when the page is shared, instead of the site's `share_image`: "
               "a PNG or JPEG beside the Markdown file (or a path from content/ starting with /), best 1200×630 "
               "or square, at least 300×300. `{file, alt}` adds a description; without one the title is used."),
)

POLICY = ContentType(
    "policy", "政策文件", "policy",
    "A policy document with its disclosure metadata table (政府信息公开).",
    COMMON + (
        Field("doc_no", "doc_no", "发文字号", required=True,
              tip="用六角括号，如 滨政发〔2026〕5号；不得与其他文件重复。",
              help="Document number with full-width brackets, e.g. `津政办发〔2015〕40号`. Unique."),
        Field("issuer", "str", "发文机关", required=True, help="Issuing authority."),
        Field("written_date", "date", "成文日期", required=True, tip="文件落款日期；公开不得晚于成文后20个工作日。",
              help="The date on the document."),
        Field("index_no", "str", "索引号", tip="不填则自动生成。",
              help="Unique; generated from `index_org_code` in site.yaml + year + sequence if absent."),
        Field("topic", "str", "主题分类", help=r"Subject, may be hierarchical: `综合政务\政务公开`."),
        Field("genre", "str", "体裁分类", help="Genre, e.g. 通知, 意见, 办法."),
        Field("doc_class", "enum", "文件类别", choices=DOC_CLASSES,
              help="What the annual disclosure report counts it as. Left out, it follows the `doc_no`: one with "
                   "令 (`滨海市人民政府令第5号`) is a 规章, one with 规〔 (`滨政规〔2025〕2号`) a 行政规范性文件, "
                   "any other an 其他文件."),
        Field("audience", "str", "服务对象", help="Who the policy serves."),
        Field("effective_date", "date", "生效日期", help="Date the policy takes effect."),
        Field("validity", "enum", "有效性", choices=VALIDITY, default="effective",
              help="`effective`, `amended`, `repealed` or `expired` (或 有效/已修改/已废止/已失效)."),
        Field("validity_date", "date", "有效性变更日期", help="Date the validity changed."),
        Field("amends", "list", "修改文件",
              help="Policies this one amends (修改), by `doc_no` or slug: each shows a banner naming this one and "
                   "becomes `amended` (已修改) if it was `effective`; this one lists them."),
        Field("repeals", "list", "废止文件",
              help="Policies this one repeals (废止), by `doc_no` or slug: each shows a banner naming this one and "
                   "becomes `repealed` (已废止), its validity_date this one's 生效日期 (or publish date) "
                   "unless written."),
        Field("attachments", "files", "附件", item_keys=(("file", True), ("title", False)),
              help="List of `{file, title}`; files live beside the Markdown file."),
        Field("interpretation_waived", "text", "免解读说明",
              help="Reason this policy needs no interpretation (read by the inspection)."),
    ),
)

INTERPRETATION = ContentType(
    "interpretation", "政策解读", "interpretation",
    "An interpretation of one or more policies; both link to each other.",
    COMMON + (
        Field("interprets", "list", "解读文件", required=True, tip="输入发文字号或标题的几个字，从列表中选择。",
              help="One or more `doc_no` or slugs of policies in this site."),
        Field("form", "enum", "解读形式", choices=FORMS, default="text",
              help="`text`, `graphic`, `video` or `interview`."),
        Field("interpreter", "str", "解读人", help="Drafting unit, expert or media outlet."),
    ),
)

INTERVIEW = ContentType(
    "interview", "在线访谈", "interview",
    "An online interview (在线访谈): guests, time and transcript (the Markdown body, e.g. `**主持人：**` and "
    "`**嘉宾：**` paragraphs, photos as Markdown images). One that names policies in `interprets` is their "
    "interpretation in the form 访谈, linked both ways.",
    COMMON + (
        Field("guests", "list", "访谈嘉宾", required=True,
              help="Who answers, with their posts: `[市发展改革委主任 张三, 市营商环境局副局长 李四]`."),
        Field("interview_time", "datetime", "访谈时间", required=True,
              help="When the interview took place (or takes place)."),
        Field("interprets", "list", "解读文件",
              help="Policies this interview interprets, by `doc_no` or slug: it then counts as their "
                   "interpretation (形式：访谈)."),
        Field("host", "str", "主持人", help="Who asks the questions."),
    ),
)

NEWS = ContentType("news", "工作动态", "news", "News about the office's work.", COMMON)
NOTICE = ContentType("notice", "通知公告", "notice", "Notices and announcements.", COMMON)
PAGE = ContentType("page", "页面", "pages", "Static pages such as 机构概况.", COMMON)

CONSULTATION = ContentType(
    "consultation", "意见征集", "consultation",
    "A public consultation; open/upcoming/closed is computed at build time.",
    COMMON + (
        Field("opens", "datetime", "开始时间", required=True, help="When comments open."),
        Field("closes", "datetime", "截止时间", required=True, help="When comments close."),
        Field("respond", "contact", "反馈方式",
              help="Where to send comments: a URL or an email address."),
        Field("outcome", "text", "意见采纳情况",
              help="Outcome text, or a link to the feedback report, once closed."),
    ),
)

REPLY = ContentType(
    "reply", "互动回应", "reply",
    "A citizen's message (`question`) and the office's answer (the Markdown body).",
    COMMON + (
        Field("question", "text", "来信内容", required=True, help="The citizen's message."),
        Field("received", "date", "来信日期", required=True, help="Date the message arrived."),
        Field("replied", "date", "答复日期", help="Date of the answer; empty while pending."),
        Field("complex", "bool", "复杂事项", default=False,
              help="`true` when the 15-working-day limit applies instead of 7."),
        Field("asker", "str", "来信人", help="Shown anonymised: 张** ."),
    ),
)

DATASET = ContentType(
    "dataset", "开放数据", "dataset",
    "An open-data dataset with machine-readable files.",
    COMMON + (
        Field("files", "files", "数据文件", required=True,
              item_keys=(("file", True), ("format", True), ("title", False)),
              help="List of `{file, format, title}` (title optional: the file's name); files live beside the "
                   "Markdown file. A CSV file's first rows are shown on the page (UTF-8 or GB18030)."),
        Field("license", "str", "开放协议", help="Licence of the data."),
        Field("publisher", "str", "数据提供方", help="Publishing unit."),
        Field("update_frequency", "enum", "更新频率", choices=FREQUENCIES,
              help="How often the data is updated; the inspection warns when a dataset is older than that "
                   "(`INSPECTION_DATASET_GRACE_DAYS` more allowed). Its last update is `updated`, else 最后更新."),
        Field("topic", "str", "数据领域",
              help="Subject area, e.g. 人口, 交通, 教育: the data catalogue filters by it."),
        Field("contact", "contact", "联系方式",
              help="Who answers questions about the data: an email address or a URL (the catalogue's contact point); "
                   "left out, the site's contact."),
        Field("license_url", "url", "开放协议网址",
              help="Address of the licence text (`https://…` or a path on this site). Search engines need it "
                   "as a URL: without it only well-known licences (CC BY 4.0, CC0, ODbL…) are named to them."),
    ),
)

AUDIENCES = {"personal": "个人", "corporate": "法人", "both": "个人和法人"}
SERVICE = ContentType(
    "service", "办事指南", "service",
    "A service guide (办事指南) with the elements people need to get a matter done; the inspection names any "
    "element left out (service-guide). The body holds anything more (a flow chart, notes). Forms to fill in go in "
    "`attachments` beside the file. The 办事服务 column groups guides by life event for 个人 and 法人, and by theme.",
    COMMON + (
        Field("agency", "str", "实施主体", required=True, help="The body that decides the matter."),
        Field("audience", "enum", "服务对象", required=True, choices=AUDIENCES,
              help="`personal` (个人), `corporate` (法人) or `both`: where the 办事服务 column lists it."),
        Field("life_event", "str", "生命周期",
              help="The life event (个人: 出生, 上学, 就业, 婚育, 退休…) or company stage (法人: 开办, 经营, "
                   "注销…) the column groups it under."),
        Field("theme", "str", "主题分类", help="Subject the column also groups by, e.g. 社会保障, 户籍, 市场监管."),
        Field("basis", "text", "设定依据", help="The laws and rules the matter rests on."),
        Field("conditions", "text", "受理条件", help="Who may apply and when; one condition per line."),
        Field("materials", "list", "申请材料", help="What to bring, one item each: `[居民身份证原件, 户口簿]`."),
        Field("process", "text", "办理流程", help="The steps, one per line (申请, 受理, 审核, 办结)."),
        Field("time_limit", "str", "办理时限", help="e.g. 法定20个工作日，承诺5个工作日."),
        Field("fees", "str", "收费标准", help="What it costs, or 不收费."),
        Field("location", "str", "办理地点", help="Where to go: the hall and its window."),
        Field("hours", "str", "办理时间", help="When it is open."),
        Field("phone", "str", "咨询电话", help="Where to ask; the page links its first number for phones."),
        Field("complaint_phone", "str", "监督电话", help="Where to complain."),
        Field("online_url", "url", "在线办理",
              help="The matter on the 政务服务平台 (`https://…`); the inspection flags a link to a host not "
                   "listed in site.yaml's `service_hosts`."),
        Field("attachments", "files", "表格下载", item_keys=(("file", True), ("title", False)),
              help="Forms and samples to download, `{file, title}`, beside the Markdown file."),
    ),
)
# The elements every guide must give (the inspection's service-guide rule names the missing ones).
SERVICE_ELEMENTS = ("agency", "basis", "conditions", "materials", "process", "time_limit", "fees", "location", "hours",
                    "phone", "complaint_phone", "online_url")

ORGANISATION = ContentType(
    "org", "机构职能", "org",
    "The office itself (机构职能): its main functions (the Markdown body), internal departments, address, hours and "
    "phone. Its column page shows it with the leaders (`leader`) in one fixed format, as the 2017 guideline asks.",
    COMMON + (
        Field("units", "list", "内设机构",
              help="One entry per internal department, `名称：职责` (`办公室：负责机关日常运转…`)."),
        Field("address", "str", "办公地址", required=True, help="Street address (and postcode)."),
        Field("hours", "str", "办公时间", required=True, help="e.g. 工作日 9:00—12:00，13:30—17:00."),
        Field("phone", "str", "联系电话", required=True, help="The office's public number."),
        Field("email", "contact", "电子邮箱", help="An email address (or a contact page URL)."),
    ),
)
LEADER = ContentType(
    "leader", "领导信息", "leader",
    "A leader of the office (领导信息): the title is the name, the Markdown body the CV (简历). Shown with the "
    "organisation on its column page, ordered by `order`.",
    tuple(f for f in COMMON if f.name != "image") + (
        Field("position", "str", "职务", required=True, help="e.g. 市长, 副市长."),
        Field("responsibilities", "text", "分管工作", required=True, help="What the leader is responsible for."),
        Field("image", "image", "照片",
              help="Portrait, PNG or JPEG beside the Markdown file (about 300×400); `{file, alt}` to describe it. "
                   "Shared links show it too."),
        Field("order", "int", "排序", default=100, help="Position in the list: the smaller, the earlier."),
    ),
)

TOPIC = ContentType(
    "topic", "专题专栏", "topic",
    "A topic page (专题): its introduction (the Markdown body), then every published document whose 主题词 "
    "(`keywords`) include one of the words it `collects`, grouped by column, newest first. It runs from its "
    "publish date to `ends`; the day after, it shows 已归档, leaves the home page and stays reachable with its "
    "documents.",
    COMMON + (
        Field("collects", "list", "收录主题词", required=True,
              help="The 主题词 that bring documents into the topic: a document with any of them in its `keywords` "
                   "is listed, e.g. `[营商环境, 政务服务]`."),
        Field("ends", "date", "结束日期",
              help="Last day of the topic; the next day it is archived (已归档). Left out, it runs on."),
    ),
)

TYPES: dict[str, ContentType] = {
    t.name: t for t in (POLICY, INTERPRETATION, INTERVIEW, NEWS, NOTICE, CONSULTATION, REPLY, DATASET, SERVICE, TOPIC,
                        ORGANISATION, LEADER, PAGE)
}
TYPE_BY_FOLDER: dict[str, str] = {t.folder: t.name for t in TYPES.values()}
TYPE_LABELS: dict[str, str] = {"类型": "type"}  # `type:` itself may be written in Chinese

# Site structure (`content/_data/site.yaml`) — same table shape, validated the same way.
COLUMN = (
    Field("id", "slug", "栏目标识", required=True, help="ASCII id, also the URL folder: `zcwj`."),
    Field("name", "str", "栏目名称", required=True, help="Name shown in navigation."),
    Field("name_en", "str", "英文名称",
          help="Name on English pages (navigation, breadcrumbs, search results); left out, they show `name`."),
    Field("type", "type", "内容类型", required=True, help="Content type listed in the column."),
    Field("parent", "str", "上级栏目", help="Parent column id, for sub-columns."),
    Field("interval", "int", "更新周期", help="Expected update interval in days (inspection)."),
    Field("nav", "bool", "显示在导航", default=True, help="Show in the main navigation."),
    Field("description", "text", "栏目说明", help="One line shown on the column page."),
    Field("reviewers", "list", "审核人",
          help="Git user names (`@zhang-san`) who approve changes to this column's type folder: `make codeowners` "
               "writes them into CODEOWNERS for GitHub and GitLab, so a merge needs their approval."),
    Field("review_levels", "enum", "审核级数", choices=REVIEW_LEVELS,
          help="Review levels on record for this column's documents; left out, the site's `review_levels`."),
)
DEPARTMENT = (
    Field("id", "slug", "部门标识", required=True, help="ASCII id used in `department:`."),
    Field("name", "str", "部门名称", required=True, help="Full name."),
    Field("name_en", "str", "英文名称", help="Full name on English pages (来源); left out, they show `name`."),
    Field("url", "url", "网址", help="Department page or site: `https://…` or a path on this site."),
)
SITE = (
    Field("name", "str", "网站名称", required=True, help="Site name in the header and titles."),
    Field("id", "slug", "网站标识",
          help="In a site cluster: the site's ASCII id, also its folder under output/. The portal's defaults to "
               "`www`; another site's is its file name (`sites/jyj.yaml`: `jyj`) and may be left out."),
    Field("parent", "slug", "上级网站",
          help="In a site cluster: the id of the site above this one; left out, the portal."),
    Field("name_en", "str", "英文名称",
          help="Site name in the header and titles of English pages; left out, their header shows `name` and "
               "their titles no site name."),
    Field("short_name", "str", "简称", help="Short name for narrow screens."),
    Field("url", "url", "网站地址",
          help="Public address, `https://www.example.gov.cn`: canonical links, QR codes, feeds, sitemap and "
               "`make publish`'s links use it (else PORTAL_URL in pelicanconf.py)."),
    Field("host", "str", "主办单位", required=True,
          help="Host unit (footer); search engines are told it is the organisation behind the site."),
    Field("superior", "str", "上级机关",
          help="The host unit's superior body, if any (given to search engines as its parent organisation)."),
    Field("site_code", "str", "网站标识码", required=True, help="网站标识码, e.g. 1200000001."),
    Field("icp", "str", "ICP备案号", required=True, help="ICP licence number."),
    Field("police", "str", "公安备案号", required=True, help="公安机关备案号."),
    Field("contact", "text", "联系方式", required=True, help="Address, phone, email."),
    Field("contact_en", "text", "英文联系方式",
          help="Contact details on English pages; left out, they show `contact`."),
    Field("error_report_url", "url", "我为政府网站找错", required=True,
          help="Link of the national error-report service for this site."),
    Field("index_org_code", "str", "组织机构代码", required=True,
          help="Organisation code used to generate 索引号: `11120000MB1234567X`."),
    Field("badge_url", "url", "党政机关标识链接", help="Link behind the 党政机关 badge."),
    Field("share_image", "image", "分享图片",
          help="Picture WeChat, Weibo and QQ show when any page is shared (a document's `image` replaces it): "
               "a PNG or JPEG under content/, path from content/ (`images/share.png`), best 1200×630 or square, "
               "at least 300×300. `{file, alt}` adds a description. Left out, the theme's own card is used."),
    Field("review_levels", "enum", "审核级数", choices=REVIEW_LEVELS, default="0",
          help="Review levels every published document needs on record in git (三审三校): the commit that last "
               "changed it, or the merge that brought it in, carries a trailer per level — `初审: 姓名`, "
               "`复审: 姓名`, `终审: 姓名` — or as many `Approved-by:` / `Reviewed-by:` trailers of other people "
               "than its author (GitLab's merge-commit template writes them). `make check` warns about every "
               "document short of them. A column's `review_levels` replaces this one."),
    Field("service_hosts", "list", "政务服务平台",
          help="Hosts a service guide's 在线办理 link may point to (`zwfw.example.gov.cn`): the 政务服务平台 and "
               "its mirrors. The inspection flags a link to any other host, and any that is not https."),
    Field("colour", "enum", "主题色", choices=COLOURS, default="red",
          help="The colour of the header and navigation: a department's or district's site in a cluster may "
               "differ from the portal. A fixed set, each with white text at 6:1 contrast or more (WCAG AA)."),
    Field("logo", "image", "网站标志",
          help="A PNG or JPEG shown before the site's name in the header (instead of the star), path from content/ "
               "(`images/jyj-logo.png`), best 72 pixels high or more; decorative: the name beside it is read out."),
    Field("alert", "str", "重要通知", help="Emergency or hot-issue line shown atop every page while set."),
    Field("alert_url", "url", "重要通知链接",
          help="Where the alert line links to: `https://…` or a path on this site."),
)
# Rules by which a site shows other sites' documents (`reposts:` in its file), as SiteServer's 推送 does.
REPOST_RULE = (
    Field("from", "str", "来源网站", required=True,
          help="Whose documents: a site id, or `parent`, `ancestors`, `children`, `descendants`, `all`."),
    Field("type", "type", "内容类型", required=True, help="Which type of theirs: `policy`, `notice`, …"),
    Field("column", "slug", "栏目", required=True,
          help="The column of this site that shows them (of the same type), e.g. a district's 上级文件 `sjwj`."),
    Field("mode", "enum", "转载方式", choices=REPOST_MODES, default="reference",
          help="`reference` lists them and links to the original pages; `copy` gives each a page here, marked "
               "来源 with a link and `rel=canonical` to the original."),
)
# The 政府信息公开 column's fixed entries (国办公开办函〔2019〕61号), in the order it shows them.
DISCLOSURE = (
    Field("guide", "url", "政府信息公开指南",
          help="The guide page (a path on this site, e.g. `/zwgkzn/`): how to ask for information, who answers, "
               "fees. The inspection wants it updated within a year."),
    Field("rules", "url", "政府信息公开制度", help="The office's disclosure rules (制度文件)."),
    Field("statutory", "url", "法定主动公开内容",
          help="What the law says must be public (机构职能, 规章和规范性文件, 规划计划…); the catalogue, `/zfxxgk/`, "
               "serves when nothing else is given."),
    Field("reports", "url", "政府信息公开年报", help="The annual reports on disclosure (one per year)."),
    Field("apply", "url", "依申请公开",
          help="Where to apply for information that is not public: an online form (`https://…`) or a page."),
)
# Where citizens send messages (a static site cannot take them itself): 领导信箱, 12345, the province's 互动 platform.
CHANNEL = (
    Field("name", "str", "渠道名称", required=True,
          help="What people know it as: `市长信箱`, `12345政务服务便民热线`."),
    Field("url", "url", "网址", help="The form or platform that takes messages: `https://…` (or a path on this site)."),
    Field("phone", "str", "电话", help="A number to call, e.g. `12345`."),
    Field("hours", "str", "受理时间", help="When it answers, e.g. `7×24小时` or `工作日 9:00—17:00`."),
    Field("description", "text", "说明", help="One line: what it is for, who answers, how long replies take."),
)
# The browser editor (Decap CMS at /admin/, plugins/cms): which git host it commits to.
CMS = (
    Field("backend", "enum", "代码托管平台", choices={"gitlab": "GitLab", "gitea": "Gitea", "github": "GitHub"},
          default="gitlab", help="Where the repository lives: self-hosted GitLab or Gitea, or GitHub."),
    Field("repo", "str", "仓库", help="`group/name` of the repository on that host."),
    Field("branch", "str", "分支", default="main", help="The branch the CMS commits to."),
    Field("api_root", "url", "API地址",
          help="A self-hosted host's API: `https://git.example.gov.cn/api/v4` (GitLab) or `…/api/v1` (Gitea)."),
    Field("base_url", "url", "登录地址",
          help="Where sign-in happens: the self-hosted GitLab or Gitea itself, or an OAuth proxy for GitHub."),
    Field("workflow", "enum", "发布流程", choices={"editorial": "编辑、审核、发布", "simple": "直接保存"},
          default="editorial",
          help="`editorial`: a new or changed item is a 草稿 on a branch of its own (a merge request on GitLab and "
               "Gitea), moves to 审核中 and 就绪, and reaches the site only when 发布 merges it; the review on the "
               "merge request is the review on record. `simple`: saving commits straight to the branch."),
    Field("app_id", "str", "应用ID",
          help="The OAuth application's id on GitLab or Gitea (sign-in with PKCE, no server of your own)."),
)
LINK = (
    Field("title", "str", "链接名称", required=True, help="Text of the link."),
    Field("title_en", "str", "英文链接名称", help="Text of the link on English pages; left out, they show `title`."),
    Field("url", "url", "链接地址", required=True, help="`https://…`, `mailto:`, `tel:` or a path on this site."),
)
