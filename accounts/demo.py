"""Demo staff users: one per role. Password for all demo users: ``DEMO_PASSWORD``."""

from .choices import Role
from .models import User
from .services import user_create, user_set_roles

DEMO_PASSWORD = "demo-pass-2026"

STAFF = [
    ("admin", "admin@cdmo-demo.test", "Alice Admin / 管理员", Role.ADMIN, "en"),
    ("pm", "pm@cdmo-demo.test", "王芳 (Wang Fang)", Role.PROJECT_MANAGER, "en"),
    ("regulatory", "ra@cdmo-demo.test", "李明 (Li Ming)", Role.REGULATORY, "zh-hans"),
    ("lab", "lab@cdmo-demo.test", "张伟 (Zhang Wei)", Role.LAB, "zh-hans"),
    ("labmanager", "labmgr@cdmo-demo.test", "陈静 (Chen Jing)", Role.LAB_MANAGER, "en"),
    ("viewer", "viewer@cdmo-demo.test", "Victor Viewer", Role.VIEWER, "en"),
    # the lab's authorised signatory (授权签字人): approves test reports (scope kept by labtests.demo)
    ("signatory", "signatory@cdmo-demo.test", "刘洋 (Liu Yang)", Role.LAB_MANAGER, "zh-hans"),
]


def ensure_user(*, username: str, email: str, display_name: str, language: str, roles=()) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            email=email,
            password=DEMO_PASSWORD,
            display_name=display_name,
            language=language,
            roles=roles,
            is_superuser=Role.ADMIN in roles,
        )
    else:
        user_set_roles(user=user, roles=roles)
    return user


def seed():
    logins = []
    for username, email, display_name, role, language in STAFF:
        ensure_user(username=username, email=email, display_name=display_name, language=language, roles=[role])
        who = str(Role(role).label) + (" · authorised signatory" if username == "signatory" else "")
        logins.append((username, DEMO_PASSWORD, who))
    return logins
