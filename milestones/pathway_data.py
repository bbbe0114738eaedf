"""The regulatory pathway templates as data: version 1 of each (migration 0002) and version 2 (migration 0008),
which corrects version 1 against the rules (see ``PATHWAYS_V2``).

Statutory figures (see shared/reference/domain-research.md, "Statutory clocks to seed"):
- NMPA, 2021 rules (医疗器械注册与备案管理办法): intake 5 working days; transfer to review 3 days; technical review
  Class II 60 WD, Class III 90 WD, 60 WD after supplements; supplement within 1 year (to the corresponding day,
  moved off a rest day: ``NMPA_SUPPLEMENT_WINDOW``); QMS inspection 30 WD
  (Class III); decision 20 WD; certificate 10 WD. Domestic Class II goes to the provincial MPA, Class III to NMPA.
- FDA: 510(k) decision 90 FDA days (calendar days; AI hold stops the clock, 180 days to answer); De Novo 150;
  PMA 180 (acceptance 15, filing 45). FDA days resume where they stopped.
- EU MDR: no statutory review clock; notified-body durations are contract figures (calendar days).
Lags and durations of the CRO's own work are planning defaults a PM adjusts per project.
"""

from datetime import date

CN, US, CAL = "cn_workdays", "us_federal_workdays", "calendar_days"


# The applicant's supplement window (补正资料, 医疗器械注册与备案管理办法 2021, Art. 50: within one year): one year to
# the corresponding day, a last day on a rest day or holiday moved to the next working day (Civil Code Art. 201–203).
# Counted in calendar days, so the page shows the days used and left.
NMPA_SUPPLEMENT_WINDOW = dict(kind="applicant_response", budget=1, period="years", unit=CAL, rest_days=CN,
                              restart_budget=None, on_deficiency="none", starts_on_status="")  # fmt: skip


# Who reviews a Class II registration: the provincial MPA for a domestic manufacturer, NMPA for an imported device.
CN_CLASS_II_NAMES = ("中国第二类医疗器械注册（境内：省局；进口：国家局）",
                     "China NMPA Class II registration (domestic: provincial MPA; imported: NMPA)")  # fmt: skip


# The submission's recorded steps that complete the authority's milestones, whatever the pathway and version: the
# record drives the plan (what the authority did, on the day it did it).
COMPLETED_BY = {
    "SUBMISSION": ["submitted"],
    "ACCEPTANCE": ["accepted"],
    "ACCEPTANCE_REVIEW": ["accepted"],
    "FILING_REVIEW": ["under_review"],
    "TECHNICAL_REVIEW": ["decision_pending"],
    "ADMIN_DECISION": ["approved", "rejected"],
    "DECISION": ["approved", "rejected"],
    "NB_APPLICATION": ["submitted"],
}


def m(code, zh, en, duration, calendar, preds=(), responsible="cro", kind="task", visible=True, clock=None):
    predecessors = [{"code": p, "lag": 0} if isinstance(p, str) else {"code": p[0], "lag": p[1]} for p in preds]
    clock_kind, clock_action = clock or ("", "")
    return dict(code=code, name_zh=zh, name_en=en, duration=duration, calendar=calendar, predecessors=predecessors,
                responsible=responsible, kind=kind, client_visible=visible, clock_kind=clock_kind,
                clock_action=clock_action)  # fmt: skip


def nmpa(review_budget, testing, clinical, with_qms):
    items = [
        m("KICKOFF", "项目启动", "Project kick-off", 5, CN),
        m("GAP_ANALYSIS", "法规差距分析", "Regulatory gap analysis", 10, CN, ["KICKOFF"], kind="deliverable"),
        m("TYPE_TESTING", "注册检验", "Registration type testing", testing, CN, ["GAP_ANALYSIS"], "lab", "testing"),
        m("CLINICAL_EVALUATION", "临床评价", "Clinical evaluation", clinical, CN, ["GAP_ANALYSIS"], kind="deliverable"),
        m("DOSSIER", "注册申报资料编制", "Registration dossier", 20, CN, ["TYPE_TESTING", "CLINICAL_EVALUATION"],
          kind="deliverable"),
        m("CLIENT_SIGN_OFF", "客户确认申报资料", "Client sign-off of the dossier", 5, CN, ["DOSSIER"], "client"),
        m("SUBMISSION", "提交注册申请", "Submission to the authority", 1, CN, ["CLIENT_SIGN_OFF"], kind="submission"),
        m("ACCEPTANCE", "受理", "Acceptance decision", 5, CN, ["SUBMISSION"], "authority", "authority"),
        m("TECHNICAL_REVIEW", "技术审评", "Technical review", review_budget, CN, [("ACCEPTANCE", 3)], "authority",
          "authority"),
    ]  # fmt: skip
    decision_preds = ["TECHNICAL_REVIEW"]
    if with_qms:
        items.append(m("QMS_INSPECTION", "质量管理体系核查", "QMS inspection", 30, CN, [("ACCEPTANCE", 10)],
                       "authority", "authority"))  # fmt: skip
        decision_preds.append("QMS_INSPECTION")
    items += [
        m("ADMIN_DECISION", "行政审批", "Administrative decision", 20, CN, decision_preds, "authority", "decision"),
        m("CERTIFICATE", "发放注册证", "Registration certificate issued", 10, CN, ["ADMIN_DECISION"], "authority",
          "decision"),
    ]  # fmt: skip
    clocks = [
        dict(kind="authority_review", budget=review_budget, unit=CN, restart_budget=60, on_deficiency="stop_restart",
             starts_on_status="under_review"),
        NMPA_SUPPLEMENT_WINDOW,
    ]  # fmt: skip
    if with_qms:
        clocks.append(dict(kind="qms_inspection", budget=30, unit=CN, restart_budget=None, on_deficiency="none",
                           starts_on_status="under_review"))  # fmt: skip
    return items, clocks


def fda(acceptance, decision, testing_preds=("BENCH_TESTING", "BIOCOMPATIBILITY"), extra=()):
    items = [
        m("KICKOFF", "项目启动", "Project kick-off", 5, US),
        m("REGULATORY_STRATEGY", "注册策略（对比器械）", "Regulatory strategy and predicate", 10, US, ["KICKOFF"],
          kind="deliverable"),
        m("BENCH_TESTING", "性能测试", "Bench performance testing", 30, US, ["REGULATORY_STRATEGY"], "lab", "testing"),
        m("BIOCOMPATIBILITY", "生物相容性评价", "Biocompatibility evaluation", 40, US, ["REGULATORY_STRATEGY"], "lab",
          "testing"),
        *extra,
        m("SUBMISSION_PREP", "申报资料编制", "Submission preparation", 15, US, list(testing_preds), kind="deliverable"),
        m("CLIENT_SIGN_OFF", "客户确认申报资料", "Client sign-off of the submission", 5, US, ["SUBMISSION_PREP"],
          "client"),
        m("SUBMISSION", "向 FDA 提交", "Submission to FDA", 1, US, ["CLIENT_SIGN_OFF"], kind="submission"),
        m("ACCEPTANCE_REVIEW", "受理审查（RTA）", "Acceptance review (RTA)", acceptance, CAL, ["SUBMISSION"],
          "authority", "authority"),
        m("DECISION", "FDA 决定", "FDA decision", decision, CAL, ["SUBMISSION"], "authority", "decision"),
    ]  # fmt: skip
    clocks = [
        dict(kind="authority_review", budget=decision, unit=CAL, restart_budget=None, on_deficiency="pause_resume",
             starts_on_status="submitted"),
        dict(kind="applicant_response", budget=180, unit=CAL, restart_budget=None, on_deficiency="none",
             starts_on_status=""),
    ]  # fmt: skip
    return items, clocks


def mdr(with_cecp):
    items = [
        m("KICKOFF", "项目启动", "Project kick-off", 5, CAL),
        m("TECHNICAL_DOCUMENTATION", "技术文档（附录 II/III）", "Technical documentation (Annex II/III)", 60, CAL,
          ["KICKOFF"], kind="deliverable"),
        m("QMS_READINESS", "质量管理体系准备", "QMS readiness (ISO 13485)", 45, CAL, ["KICKOFF"]),
        m("NB_APPLICATION", "向公告机构申请", "Application to the notified body", 1, CAL,
          ["TECHNICAL_DOCUMENTATION", "QMS_READINESS"], kind="submission"),
        m("STAGE1_AUDIT", "第一阶段审核", "Stage 1 audit", 30, CAL, ["NB_APPLICATION"], "authority", "authority"),
        m("STAGE2_AUDIT", "第二阶段审核", "Stage 2 audit", 45, CAL, ["STAGE1_AUDIT"], "authority", "authority"),
        m("TD_ASSESSMENT", "技术文档评审", "Technical documentation assessment", 90, CAL, ["NB_APPLICATION"],
          "authority", "authority"),
    ]  # fmt: skip
    certificate_preds = ["STAGE2_AUDIT", "TD_ASSESSMENT"]
    if with_cecp:
        items.append(m("CECP", "临床评价咨询程序（专家组）", "Clinical evaluation consultation (expert panel)", 60, CAL,
                       ["TD_ASSESSMENT"], "authority", "authority"))  # fmt: skip
        certificate_preds.append("CECP")
    items.append(m("CE_CERTIFICATE", "CE 证书签发", "CE certificate issued", 30, CAL, certificate_preds, "authority",
                   "decision"))  # fmt: skip
    return items, []


PATHWAYS = [
    ("CN_NMPA_II", "CN", "provincial_mpa", date(2021, 10, 1), CN_CLASS_II_NAMES[0], CN_CLASS_II_NAMES[1],
     nmpa(60, 40, 30, with_qms=False)),
    ("CN_NMPA_III", "CN", "nmpa", date(2021, 10, 1), "中国第三类医疗器械注册（国家局）",
     "China NMPA Class III registration", nmpa(90, 60, 60, with_qms=True)),
    ("US_510K", "US", "fda", date(2022, 10, 1), "美国 510(k) 上市前通知", "US FDA 510(k) premarket notification",
     fda(15, 90)),
    ("US_DENOVO", "US", "fda", date(2022, 10, 1), "美国 De Novo 分类申请", "US FDA De Novo classification request",
     fda(15, 150)),
    ("US_PMA", "US", "fda", date(2022, 10, 1), "美国 PMA 上市前批准", "US FDA premarket approval (PMA)",
     fda(45, 180, ("BENCH_TESTING", "BIOCOMPATIBILITY", "CLINICAL_STUDY"),
         extra=[m("CLINICAL_STUDY", "临床研究", "Clinical study", 250, US, ["REGULATORY_STRATEGY"],
                  kind="deliverable")])),
    ("EU_MDR_IIA_IIB", "EU", "notified_body", date(2021, 5, 26), "欧盟 MDR IIa/IIb 类 CE 认证",
     "EU MDR Class IIa/IIb CE marking", mdr(with_cecp=False)),
    ("EU_MDR_III", "EU", "notified_body", date(2021, 5, 26), "欧盟 MDR III 类 CE 认证",
     "EU MDR Class III CE marking", mdr(with_cecp=True)),
]  # fmt: skip


def _add_templates(pathway, items, clocks, MilestoneTemplate, ClockTemplate) -> None:
    """The milestone templates (ordered 10, 20, …) and clock templates of a pathway version just created."""

    def known(model, data: dict) -> dict:  # a migration's historical model may predate a field
        names = {field.name for field in model._meta.get_fields()}
        return {key: value for key, value in data.items() if key in names}

    for order, item in enumerate(items, start=1):
        item = {**item, "completed_by": COMPLETED_BY.get(item["code"], [])}
        MilestoneTemplate.objects.create(pathway=pathway, order=order * 10, **known(MilestoneTemplate, item))
    for clock in clocks:
        ClockTemplate.objects.create(pathway=pathway, **known(ClockTemplate, clock))


def seed_pathways(PathwayTemplate, MilestoneTemplate, ClockTemplate) -> int:
    """Create version 1 of every pathway that does not exist yet; returns how many were created. Takes the model
    classes so that the data migration can pass its historical models."""
    created_count = 0
    for code, market, authority, effective, name_zh, name_en, (items, clocks) in PATHWAYS:
        pathway, created = PathwayTemplate.objects.get_or_create(
            code=code,
            version=1,
            defaults=dict(market=market, authority=authority, effective_from=effective, name_zh=name_zh,
                          name_en=name_en),
        )  # fmt: skip
        if not created:
            continue
        created_count += 1
        _add_templates(pathway, items, clocks, MilestoneTemplate, ClockTemplate)
    return created_count


# --- Version 2 ---------------------------------------------------------------------------------------------------
# Corrections after a review against the rules (NMPA order 47 of 2021; FDA MDUFA V goals, RTA and PMA acceptance
# and filing guidance; EU MDR Art. 54 and Annex IX):
# - NMPA: the technical review counts from the transfer, 3 working days after acceptance (the clock starts at
#   acceptance, dated at the planned transfer); the administrative decision (20 WD) and the certificate (10 WD)
#   have clocks; the review, QMS inspection, decision and certificate milestones follow their clocks.
# - FDA: the decision milestone follows the FDA-day clock; PMA acceptance by FDA day 15 and filing by day 45, both
#   from receipt; a PMA with an advisory panel (320 days) is an option chosen when applying.
# - EU: the clinical evaluation consultation (Art. 54) only for class III implantables and class IIb active
#   devices that administer or remove a medicinal product, with an option for the Art. 54(2) exemptions.
# - Each pathway names the device classes it is for.


def v2(item: dict, **changes) -> dict:
    return {**item, **changes}


def nmpa_v2(review_budget, testing, clinical, with_qms):
    items, _clocks = nmpa(review_budget, testing, clinical, with_qms)
    follows = {"TECHNICAL_REVIEW": "authority_review", "QMS_INSPECTION": "qms_inspection",
               "ADMIN_DECISION": "decision", "CERTIFICATE": "certificate"}  # fmt: skip
    items = [v2(item, follows_clock=follows.get(item["code"], "")) for item in items]
    for item in items:
        if item["code"] == "QMS_INSPECTION":
            item["predecessors"] = [{"code": "ACCEPTANCE", "lag": 3}]
        if item["code"] == "CERTIFICATE":
            item.update(clock_kind="certificate", clock_action="stop")
    clocks = [
        dict(kind="authority_review", budget=review_budget, unit=CN, restart_budget=60, on_deficiency="stop_restart",
             starts_on_status="accepted", start_lag=3),
        NMPA_SUPPLEMENT_WINDOW,
        dict(kind="decision", budget=20, unit=CN, restart_budget=None, on_deficiency="none",
             starts_on_status="decision_pending"),
        dict(kind="certificate", budget=10, unit=CN, restart_budget=None, on_deficiency="none",
             starts_on_status="approved"),
    ]  # fmt: skip
    if with_qms:
        clocks.append(dict(kind="qms_inspection", budget=30, unit=CN, restart_budget=None, on_deficiency="none",
                           starts_on_status="accepted", start_lag=3))  # fmt: skip
    return items, clocks


def fda_v2(acceptance, decision, **kwargs):
    items, clocks = fda(acceptance, decision, **kwargs)
    items = [v2(item, follows_clock="authority_review" if item["code"] == "DECISION" else "") for item in items]
    return items, clocks


def pma_v2():
    clinical = m("CLINICAL_STUDY", "临床研究", "Clinical study", 250, US, ["REGULATORY_STRATEGY"], kind="deliverable")
    items, clocks = fda_v2(15, 180, testing_preds=("BENCH_TESTING", "BIOCOMPATIBILITY", "CLINICAL_STUDY"),
                           extra=[clinical])  # fmt: skip
    at = next(i for i, item in enumerate(items) if item["code"] == "ACCEPTANCE_REVIEW")
    items[at] = v2(items[at], name_zh="受理审查（FDA 第 15 天）", name_en="Acceptance review (by FDA day 15)")
    filing = m("FILING_REVIEW", "立卷审查（FDA 第 45 天）", "Filing review (by FDA day 45)", 45, CAL, ["SUBMISSION"],
               "authority", "authority")  # fmt: skip
    items.insert(at + 1, v2(filing, follows_clock=""))
    return items, clocks


def mdr_v2():
    items, clocks = mdr(with_cecp=True)
    items = [v2(item, follows_clock="", condition="cecp" if item["code"] == "CECP" else "") for item in items]
    return items, clocks


ADVISORY_PANEL = {
    "name_zh": "召开顾问委员会（320 天）",
    "name_en": "With an advisory panel (320 days)",
    "milestones": {"DECISION": {"duration": 320}},
    "clocks": {"authority_review": {"budget": 320}},
}
CECP_EXEMPT = {
    "name_zh": "豁免临床评价咨询程序（MDR 第 54(2) 条）",
    "name_en": "Exempt from the clinical evaluation consultation (MDR Art. 54(2))",
    "waives": "cecp",
}

# code → (device classes, options, data)
PATHWAYS_V2 = {
    "CN_NMPA_II": (["II"], {}, nmpa_v2(60, 40, 30, with_qms=False)),
    "CN_NMPA_III": (["III"], {}, nmpa_v2(90, 60, 60, with_qms=True)),
    "US_510K": (["I", "II"], {}, fda_v2(15, 90)),
    "US_DENOVO": (["I", "II"], {}, fda_v2(15, 150)),
    "US_PMA": (["III"], {"advisory_panel": ADVISORY_PANEL}, pma_v2()),
    "EU_MDR_IIA_IIB": (["IIa", "IIb"], {"cecp_exempt": CECP_EXEMPT}, mdr_v2()),
    "EU_MDR_III": (["III"], {"cecp_exempt": CECP_EXEMPT}, mdr_v2()),
}


def seed_pathways_v2(PathwayTemplate, MilestoneTemplate, ClockTemplate) -> int:
    return _seed_version(2, PATHWAYS_V2, PathwayTemplate, MilestoneTemplate, ClockTemplate)


def _seed_version(version: int, data: dict, PathwayTemplate, MilestoneTemplate, ClockTemplate) -> int:
    """Create ``version`` of every pathway in ``data`` that has none yet, with version 1's effective date (the
    corrections restate the rules in force, they are not new rules); returns how many were created."""
    created_count = 0
    v1_of = {row[0]: row for row in PATHWAYS}
    for code, (classes, options, (items, clocks)) in data.items():
        _code, market, authority, effective, name_zh, name_en, _data = v1_of[code]
        v1 = PathwayTemplate.objects.filter(code=code, version=1).first()
        pathway, created = PathwayTemplate.objects.get_or_create(
            code=code,
            version=version,
            defaults=dict(market=market, authority=authority, effective_from=v1.effective_from if v1 else effective,
                          name_zh=name_zh, name_en=name_en, device_classes=classes, options=options),
        )  # fmt: skip
        if not created:
            continue
        created_count += 1
        _add_templates(pathway, items, clocks, MilestoneTemplate, ClockTemplate)
    return created_count


# --- Version 3 ---------------------------------------------------------------------------------------------------
# - NMPA Class III: the QMS inspection (体系核查, 医疗器械注册与备案管理办法 Art. 93) is the province's, for a domestic
#   manufacturer only: an imported device has none planned. The review centre notifies the province within 10 working
#   days of acceptance and the province has 30 working days from then: the inspection's clock starts at the latest
#   notice and the step is due 40 working days after acceptance (accepted 2026-03-02 → 2026-04-28).
def nmpa_class_iii_v3():
    items, clocks = nmpa_v2(90, 60, 60, with_qms=True)
    for item in items:
        if item["code"] == "QMS_INSPECTION":
            item.update(predecessors=[{"code": "ACCEPTANCE", "lag": 10}], condition="domestic")
    clocks = [{**clock, "start_lag": 10, "condition": "domestic"} if clock["kind"] == "qms_inspection" else clock
              for clock in clocks]  # fmt: skip
    return items, clocks


PATHWAYS_V3 = {"CN_NMPA_III": (["III"], {}, nmpa_class_iii_v3())}


def seed_pathways_v3(PathwayTemplate, MilestoneTemplate, ClockTemplate) -> int:
    return _seed_version(3, PATHWAYS_V3, PathwayTemplate, MilestoneTemplate, ClockTemplate)


def clock_corrections():
    """(pathway code, version, clock kind) → the fields the data above gives that clock template now: what a
    migration applies to the templates and clocks created before a field existed."""
    corrections = {}
    for code, _market, _authority, _effective, _zh, _en, (_items, clocks) in PATHWAYS:
        for clock in clocks:
            corrections[(code, 1, clock["kind"])] = clock
    for code, (_classes, _options, (_items, clocks)) in PATHWAYS_V2.items():
        for clock in clocks:
            corrections[(code, 2, clock["kind"])] = clock
    return corrections
