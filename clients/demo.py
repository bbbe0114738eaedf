"""Demo clients and devices: the fictional companies of the domain research, and two portal users of two
different clients. Idempotent: rows are looked up by their natural keys before anything is created."""

from accounts.demo import DEMO_PASSWORD, ensure_user
from accounts.models import User

from .choices import ClientKind, ClientStatus, ContactRole, DeviceKind
from .models import Client, Contact, Device
from .services import (
    client_create,
    client_membership_create,
    client_transition,
    contact_create,
    contact_update,
    device_classification_set,
    device_create,
)

CLIENTS = [
    {
        "code": "QIHENG",
        "name_zh": "上海启衡医疗咨询有限公司",
        "name_en": "Shanghai Qiheng Medical Consulting Co., Ltd.",
        "uscc": "91310115MA1K4C9P2R",
        "kind": ClientKind.IMPORTER,
        "country": "CN",
    },
    {
        "code": "KANGNUO",
        "name_zh": "杭州康诺医疗科技有限公司",
        "name_en": "Hangzhou Kangnuo Medical Technology Co., Ltd.",
        "uscc": "91330106MA2H7K3N8B",
        "kind": ClientKind.DOMESTIC,
        "country": "CN",
    },
    {
        "code": "RUILAN",
        "name_zh": "苏州瑞澜生物材料有限公司",
        "name_en": "Suzhou Ruilan Biomaterials Co., Ltd.",
        "uscc": "91320594MA1WQ2RL5T",
        "kind": ClientKind.DOMESTIC,
        "country": "CN",
    },
    {
        "code": "NORDLICHT",
        "name_zh": "诺德利希特医疗技术有限公司",
        "name_en": "Nordlicht MedTech GmbH",
        "uscc": "",
        "kind": ClientKind.OVERSEAS,
        "country": "DE",
        "agent": "QIHENG",
    },
]

CONTACTS = {
    "KANGNUO": [("赵磊 (Zhao Lei)", "zhao.lei@kangnuo.example", "+86 571 8888 0101", ContactRole.RA, True)],
    "RUILAN": [("孙丽 (Sun Li)", "sun.li@ruilan.example", "+86 512 6666 0202", ContactRole.QA, True)],
    "NORDLICHT": [("Anna Becker", "a.becker@nordlicht.example", "+49 40 555 0303", ContactRole.RA, True)],
    "QIHENG": [("周洋 (Zhou Yang)", "zhou.yang@qiheng.example", "+86 21 5555 0404", ContactRole.RA, True)],
}

# (client, name_zh, name_en, kind, sterile, implantable, has_software, models, intended use, {market: (class, code)})
DEVICES = [
    ("KANGNUO", "医用电子体温计", "Medical electronic thermometer", DeviceKind.ACTIVE, False, False, True,
     ["KN-T100", "KN-T200"], "Measuring human body temperature orally, axillary or rectally.",
     {"CN": ("II", "07-03-01"), "US": ("II", "FLL / 21 CFR 880.2910"), "EU": ("IIa", "Rule 10")}),
    ("KANGNUO", "低频电疗仪", "Low-frequency electrotherapy device (TENS)", DeviceKind.ACTIVE, False, False, True,
     ["KN-E10"], "Transcutaneous electrical nerve stimulation for pain relief, home use.",
     {"CN": ("II", "09-01-03"), "US": ("II", "GZJ / 21 CFR 882.5890"), "EU": ("IIa", "Rule 9")}),
    ("KANGNUO", "多参数监护仪", "Multi-parameter patient monitor", DeviceKind.ACTIVE, False, False, True,
     ["KN-M8", "KN-M12"], "Monitoring ECG, SpO2, NIBP, temperature and respiration of adult and paediatric patients.",
     {"CN": ("II", "07-03-04"), "US": ("II", "MHX / 21 CFR 870.1025"), "EU": ("IIb", "Rule 10")}),
    ("RUILAN", "一次性使用输液器", "Single-use infusion set", DeviceKind.NON_ACTIVE, True, False, False,
     ["RL-IS-20", "RL-IS-60"], "Gravity infusion of fluids into the venous system, single use, EO sterilised.",
     {"CN": ("III", "14-02-01"), "US": ("II", "FPA / 21 CFR 880.5440"), "EU": ("IIa", "Rule 2")}),
    ("NORDLICHT", "肺结节CT影像辅助检测软件", "AI lung-nodule CT detection software", DeviceKind.SAMD,
     False, False, True,
     ["LungSight 2.1"], "Computer-aided detection of pulmonary nodules on chest CT, as a second reader.",
     {"CN": ("III", "21-04-02"), "US": ("II", "QBS / 21 CFR 892.2070"), "EU": ("IIb", "Rule 11")}),
    ("NORDLICHT", "药物洗脱冠脉支架", "Drug-eluting coronary stent", DeviceKind.NON_ACTIVE, True, True, False,
     ["NL-DES 2.5x18", "NL-DES 3.0x24"], "Treatment of de novo coronary artery lesions, sirolimus-eluting.",
     {"CN": ("III", "13-06-01"), "US": ("III", "NIQ / PMA"), "EU": ("III", "Rule 8, Rule 14")}),
]  # fmt: skip

PORTAL_USERS = [
    ("kangnuo", "zhao.lei@kangnuo.example", "赵磊 (Zhao Lei)", "zh-hans", "KANGNUO"),
    ("nordlicht", "a.becker@nordlicht.example", "Anna Becker", "en", "NORDLICHT"),
]


def _ensure_client(spec: dict) -> Client:
    client = Client.objects.filter(code=spec["code"]).first()
    if client is None:
        values = {k: v for k, v in spec.items() if k != "agent"}
        if spec.get("agent"):
            values["agent"] = Client.objects.get(code=spec["agent"])
        client = client_create(actor=None, account_manager=User.objects.filter(username="pm").first(), **values)
    if client.status == ClientStatus.PROSPECT:
        client = client_transition(client=client, actor=None, to=ClientStatus.ACTIVE, reason="demo data")
    return client


def seed():
    clients = {spec["code"]: _ensure_client(spec) for spec in CLIENTS}
    for code, contacts in CONTACTS.items():
        for name, email, phone, role, primary in contacts:
            if not Contact.objects.filter(client=clients[code], email=email).exists():
                contact_create(
                    actor=None, client=clients[code], name=name, email=email, phone=phone, role=role, is_primary=primary
                )
    for code, name_zh, name_en, kind, sterile, implantable, software, models, use, classes in DEVICES:
        device = Device.objects.filter(client=clients[code], name_en=name_en).first()
        if device is None:
            device = device_create(
                actor=None, client=clients[code], name_zh=name_zh, name_en=name_en, kind=kind, sterile=sterile,
                implantable=implantable, has_software=software, model_numbers=models, intended_use=use,
            )  # fmt: skip
        for market, (device_class, code_) in classes.items():
            device_classification_set(device=device, actor=None, market=market, device_class=device_class, code=code_)
    logins = []
    for username, email, display_name, language, code in PORTAL_USERS:
        user = ensure_user(username=username, email=email, display_name=display_name, language=language)
        client_membership_create(user=user, client=clients[code])
        contact = Contact.objects.filter(client=clients[code], email=email).first()
        if contact is not None and contact.user_id is None:
            contact_update(contact=contact, actor=None, data={"user": user})
        logins.append((username, DEMO_PASSWORD, f"client user of {code}"))
    return logins
