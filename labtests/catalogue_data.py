"""The starter catalogue: standards and test services a medical-device registration lab offers (figures from
shared/reference/domain-research.md §4; turnaround in working days except accelerated ageing, which is
calendar time: ASTM F1980, 2 years at 55 °C with Q10 = 2 → ageing factor 8 → 91.25, rounded up to 92 days)."""

import math
from datetime import date

STANDARDS = [
    ("GB 9706.1-2020", "医用电气设备 第1部分：基本安全和基本性能的通用要求",
     "Medical electrical equipment — Part 1: General requirements for basic safety and essential performance",
     "IEC 60601-1:2005+A1:2012", "current", date(2023, 5, 1)),
    ("YY 9706.102-2021", "医用电气设备 第1-2部分：电磁兼容", "Medical electrical equipment — Part 1-2: EMC",
     "IEC 60601-1-2:2014", "current", date(2023, 5, 1)),
    ("YY 0505-2012", "医用电气设备 第1-2部分：电磁兼容（旧版）", "Medical electrical equipment — EMC (old edition)",
     "IEC 60601-1-2:2004", "superseded", date(2014, 1, 1)),
    ("YY 9706.108-2021", "医用电气设备 第1-8部分：报警系统", "Medical electrical equipment — Part 1-8: Alarm systems",
     "IEC 60601-1-8:2006+A1:2012", "current", date(2023, 5, 1)),
    ("YY/T 9706.106-2021", "医用电气设备 第1-6部分：可用性", "Medical electrical equipment — Part 1-6: Usability",
     "IEC 60601-1-6:2010+A1:2013", "current", date(2023, 5, 1)),
    ("GB/T 14710-2009", "医用电器环境要求及试验方法", "Environmental requirements and test methods for medical electrical equipment",
     "", "current", date(2010, 4, 1)),
    ("GB/T 16886.5-2017", "医疗器械生物学评价 第5部分：体外细胞毒性试验", "Biological evaluation — Part 5: In vitro cytotoxicity",
     "ISO 10993-5:2009", "current", date(2018, 7, 1)),
    ("GB/T 16886.10-2017", "医疗器械生物学评价 第10部分：刺激与皮肤致敏试验", "Biological evaluation — Part 10: Sensitization",
     "ISO 10993-10:2010", "current", date(2018, 7, 1)),
    ("GB/T 16886.7-2015", "医疗器械生物学评价 第7部分：环氧乙烷灭菌残留量", "Biological evaluation — Part 7: EO sterilization residuals",
     "ISO 10993-7:2008", "current", date(2016, 7, 1)),
    ("GB 8368-2018", "一次性使用输液器 重力输液式", "Infusion sets for single use — Gravity feed", "ISO 8536-4:2010",
     "current", date(2020, 2, 1)),
    ("ISO 11607-1:2019", "最终灭菌医疗器械包装", "Packaging for terminally sterilized medical devices", "", "current",
     date(2019, 2, 1)),
    ("ASTM F88/F88M-21", "软性屏障材料密封强度", "Seal strength of flexible barrier materials", "", "current", date(2021, 1, 1)),
    ("ASTM F2096-11", "气泡法检测包装泄漏", "Gross leaks in packaging by internal pressurization (bubble test)", "",
     "current", date(2011, 1, 1)),
    ("ASTM D4169-22", "运输包装性能试验", "Performance testing of shipping containers and systems", "", "current",
     date(2022, 1, 1)),
    ("ASTM F1980-21", "无菌屏障系统加速老化", "Accelerated aging of sterile barrier systems", "", "current", date(2021, 1, 1)),
    ("YY/T 0664-2020", "医疗器械软件 软件生存周期过程", "Medical device software — Software life cycle processes",
     "IEC 62304:2006+A1:2015", "current", date(2021, 9, 1)),
]  # fmt: skip

CN, CAL = "cn_workdays", "calendar_days"


def accelerated_ageing_days(years: float, *, ageing_temperature: float = 55, room_temperature: float = 25,
                            q10: float = 2) -> int:  # fmt: skip
    """ASTM F1980: the accelerated ageing time for ``years`` of real time, ``AAF = Q10^((T_aa − T_rt)/10)``, in
    whole days rounded up (a shorter test would not cover the claimed shelf life): 2 years → 730 / 8 = 91.25 → 92."""
    factor = q10 ** ((ageing_temperature - room_temperature) / 10)
    return math.ceil(365 * years / factor)


SERVICES = [
    ("ES-60601-1", "电气安全检验", "Electrical safety test", "electrical_safety", ["GB 9706.1-2020"], 20, CN, 18000),
    ("EMC-60601-1-2", "电磁兼容检验", "EMC test", "emc", ["YY 9706.102-2021"], 15, CN, 22000),
    ("ALARM-60601-1-8", "报警系统检验", "Alarm system test", "electrical_safety", ["YY 9706.108-2021"], 10, CN, 8000),
    ("USAB-60601-1-6", "可用性评审", "Usability engineering review", "electrical_safety", ["YY/T 9706.106-2021"], 10, CN,
     9000),
    ("ENV-14710", "环境试验", "Environmental test", "environmental", ["GB/T 14710-2009"], 10, CN, 7000),
    ("BIO-CYTO", "细胞毒性试验", "Cytotoxicity (ISO 10993-5)", "biocompatibility", ["GB/T 16886.5-2017"], 10, CN, 4500),
    ("BIO-SENS", "致敏试验（GPMT）", "Sensitisation (GPMT)", "biocompatibility", ["GB/T 16886.10-2017"], 35, CN, 12000),
    ("BIO-EO", "环氧乙烷残留量", "EO residuals", "microbiology", ["GB/T 16886.7-2015"], 10, CN, 3500),
    ("INF-8368", "输液器性能检验", "Infusion set performance test", "packaging", ["GB 8368-2018"], 15, CN, 9000),
    ("PKG-F88", "密封强度", "Seal strength (ASTM F88)", "packaging", ["ASTM F88/F88M-21", "ISO 11607-1:2019"], 5, CN, 2000),
    ("PKG-F2096", "气泡泄漏试验", "Bubble leak (ASTM F2096)", "packaging", ["ASTM F2096-11"], 3, CN, 1500),
    ("PKG-D4169", "运输模拟试验", "Transport simulation (ASTM D4169)", "packaging", ["ASTM D4169-22"], 10, CN, 6000),
    ("PKG-AGING", "加速老化（2 年）", "Accelerated ageing, 2 years (ASTM F1980)", "packaging", ["ASTM F1980-21"],
     accelerated_ageing_days(2), CAL,
     5000),
    ("SW-62304", "软件生存周期评审", "Software life-cycle review", "software", ["YY/T 0664-2020"], 20, CN, 15000),
]  # fmt: skip


# what uses up its samples, and what must run first when ordered together (ageing before the package tests)
DESTRUCTIVE = ("PKG-F88", "PKG-F2096", "BIO-CYTO", "BIO-SENS", "BIO-EO")
RUNS_AFTER = {"PKG-F88": ["PKG-AGING"], "PKG-F2096": ["PKG-AGING"]}


def seed_sample_rules(TestService) -> None:
    """Mark destructive tests and their prerequisites on the services that exist (idempotent)."""
    TestService.objects.filter(code__in=DESTRUCTIVE).update(destructive=True)
    services = {
        s.code: s
        for s in TestService.objects.filter(code__in=[*RUNS_AFTER, *(c for cs in RUNS_AFTER.values() for c in cs)])
    }
    for code, before in RUNS_AFTER.items():
        if code in services:
            services[code].runs_after.add(*[services[c] for c in before if c in services])


def seed_catalogue(Standard, TestService) -> int:
    """Create the standards and services that do not exist yet; returns how many services were created."""
    standards = {}
    for code, title_zh, title_en, equivalent, status, effective in STANDARDS:
        standards[code], _created = Standard.objects.get_or_create(
            code=code,
            defaults=dict(title_zh=title_zh, title_en=title_en, equivalent=equivalent, status=status,
                          effective_date=effective),
        )  # fmt: skip
    created_count = 0
    for code, name_zh, name_en, section, standard_codes, days, calendar, price in SERVICES:
        service, created = TestService.objects.get_or_create(
            code=code,
            defaults=dict(name_zh=name_zh, name_en=name_en, lab_section=section, turnaround_days=days,
                          turnaround_calendar=calendar, cma=True, cnas=section != "software", price=price),
        )  # fmt: skip
        if created:
            service.standards.set([standards[c] for c in standard_codes])
            created_count += 1
    return created_count
